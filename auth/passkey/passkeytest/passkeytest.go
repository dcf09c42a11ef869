// Package passkeytest is a software WebAuthn authenticator for tests: one ES256 passkey that answers
// the options of a registration (attestation "none") and of a login as a browser with a platform
// authenticator would, with every field a test may want wrong (origin, RP ID, counter, flags) exposed.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator holds one passkey once Create made it.
type Authenticator struct {
	Origin string // the clientDataJSON's origin
	RPID   string // hashed into the authenticator data
	// Counter is the signature counter; each Get adds one before it signs (leave Step 0 for an
	// authenticator that always says 0, as synced passkeys do).
	Counter uint32
	Step    uint32
	// UV is the user-verified flag of the next answer; BackupEligible and BackedUp its BE and BS flags.
	UV, BackupEligible, BackedUp bool

	key    *ecdsa.PrivateKey
	ID     []byte // the credential id
	Handle []byte // the user.id it was created for
}

// New returns an authenticator for rpID at origin that verifies the user and counts by one.
func New(rpID, origin string) *Authenticator {
	return &Authenticator{Origin: origin, RPID: rpID, UV: true, Step: 1}
}

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (a *Authenticator) flags(attested bool) byte {
	f := byte(0x01) // UP
	if a.UV {
		f |= 0x04
	}
	if a.BackupEligible {
		f |= 0x08
	}
	if a.BackedUp {
		f |= 0x10
	}
	if attested {
		f |= 0x40
	}
	return f
}

func (a *Authenticator) authData(attested []byte) []byte {
	h := sha256.Sum256([]byte(a.RPID))
	out := append(h[:], a.flags(attested != nil))
	out = binary.BigEndian.AppendUint32(out, a.Counter)
	return append(out, attested...)
}

// ClientData is the clientDataJSON of a ceremony of typ ("webauthn.create", "webauthn.get").
func (a *Authenticator) ClientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// Create makes the passkey for the creation options (the JSON the server sent) and returns the
// browser's answer, PublicKeyCredential.toJSON().
func (a *Authenticator) Create(optionsJSON []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, err
	}
	handle, err := base64.RawURLEncoding.DecodeString(o.PublicKey.User.ID)
	if err != nil || o.PublicKey.Challenge == "" {
		return nil, errors.New("passkeytest: not creation options")
	}
	if a.key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return nil, err
	}
	a.ID, a.Handle = make([]byte, 32), handle
	_, _ = rand.Read(a.ID)
	return a.CreateResponse(a.ClientData("webauthn.create", o.PublicKey.Challenge))
}

// CreateResponse is the registration answer for clientData (for a test that writes its own).
func (a *Authenticator) CreateResponse(clientData []byte) ([]byte, error) {
	pub, err := a.key.PublicKey.ECDH()
	if err != nil {
		return nil, err
	}
	raw := pub.Bytes() // 0x04 ‖ x ‖ y
	cose, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	coseKey, err := cose.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:]})
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 16) // AAGUID: none
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(a.ID)))
	attested = append(append(attested, a.ID...), coseKey...)
	obj, err := cose.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(attested)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64(a.ID), "rawId": b64(a.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"response":               map[string]any{"clientDataJSON": b64(clientData), "attestationObject": b64(obj), "transports": []string{"internal"}},
		"clientExtensionResults": map[string]any{},
	})
}

// Get signs the request options (the JSON the server sent) and returns the browser's answer.
func (a *Authenticator) Get(optionsJSON []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(optionsJSON, &o); err != nil {
		return nil, err
	}
	if o.PublicKey.Challenge == "" {
		return nil, errors.New("passkeytest: not request options")
	}
	a.Counter += a.Step
	return a.GetResponse(a.ClientData("webauthn.get", o.PublicKey.Challenge))
}

// GetResponse is the login answer for clientData with the current counter.
func (a *Authenticator) GetResponse(clientData []byte) ([]byte, error) {
	if a.key == nil {
		return nil, errors.New("passkeytest: no passkey yet")
	}
	ad := a.authData(nil)
	h := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64(a.ID), "rawId": b64(a.ID), "type": "public-key", "authenticatorAttachment": "platform",
		"response": map[string]any{"clientDataJSON": b64(clientData), "authenticatorData": b64(ad), "signature": b64(sig),
			"userHandle": b64(a.Handle)},
		"clientExtensionResults": map[string]any{},
	})
}
