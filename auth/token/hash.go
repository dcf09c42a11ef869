package token

import "crypto"

const cryptoSHA256 = crypto.SHA256
