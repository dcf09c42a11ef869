package importer

// MaxLine exports maxLine, the bound on one JSONL line, to the external tests.
const MaxLine = maxLine
