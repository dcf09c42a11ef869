package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/phoneauth/phoneauth/auth"
)

// FileError is a file that cannot be read on from line on (exit 2).
type FileError struct {
	Line int
	Err  error
}

func (e *FileError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *FileError) Unwrap() error { return e.Err }

// recordReader yields one record per call, io.EOF at the end; an error of its own is a *FileError.
type recordReader interface {
	next() (*Record, error)
}

// records yields what rr reads, until the end or its first error.
func records(rr recordReader) iter.Seq2[*Record, error] {
	return func(yield func(*Record, error) bool) {
		for {
			rec, err := rr.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(rec, err) || err != nil {
				return
			}
		}
	}
}

// Formats of the files Read takes.
const (
	FormatJSONL = "jsonl"
	FormatCSV   = "csv"
)

// Read starts reading an export in format (FormatJSONL or FormatCSV; for CSV it reads and checks the
// header now) and returns its records, one by one as they stream. An error it yields about the file
// (not a record) is a *FileError: nothing after it can be read.
func Read(format string, r io.Reader) (iter.Seq2[*Record, error], error) {
	rr, err := newRecordReader(format, r)
	if err != nil {
		return nil, err
	}
	return records(rr), nil
}

// newRecordReader starts reading; for CSV it reads and checks the header.
func newRecordReader(format string, r io.Reader) (recordReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3) // Excel and Python's utf-8-sig write one
	}
	if format == FormatCSV {
		return newCSVReader(br)
	}
	return &jsonlReader{br: br}, nil
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// maxLine bounds one JSONL record; a longer line is a bad row, skipped without holding it.
const maxLine = 1 << 20

type jsonlReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

func (r *jsonlReader) next() (*Record, error) {
	for {
		raw, tooLong, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, &FileError{Line: r.line + 1, Err: err}
		}
		if errors.Is(err, io.EOF) && len(raw) == 0 && !tooLong {
			return nil, io.EOF
		}
		r.line++
		rec := &Record{Line: r.line}
		switch {
		case tooLong:
			rec.Problems = []auth.FieldError{{Msg: fmt.Sprintf("line longer than %d bytes", maxLine)}}
			return rec, nil
		case len(bytes.TrimSpace(raw)) == 0:
			continue // blank lines separate nothing in JSONL; allow them
		}
		decodeJSONRecord(raw, rec)
		return rec, nil
	}
}

// readLine returns the next line without its "\n" or "\r\n", or tooLong (and no bytes) when it
// exceeds maxLine. err is io.EOF with the last, unterminated line.
func (r *jsonlReader) readLine() (line []byte, tooLong bool, err error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(r.buf)+len(chunk) > maxLine+2 {
				tooLong, r.buf = true, r.buf[:0]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if tooLong {
			return nil, true, err
		}
		return bytes.TrimSuffix(bytes.TrimSuffix(r.buf, []byte("\n")), []byte("\r")), false, err
	}
}

// decodeJSONRecord fills rec from one JSON object, noting values of the wrong type and unknown keys
// in rec.Problems (never the values themselves).
func decodeJSONRecord(raw []byte, rec *Record) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		msg := "not a JSON object"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			msg = fmt.Sprintf("not valid JSON (at byte %d)", se.Offset)
		}
		rec.Problems = append(rec.Problems, auth.FieldError{Msg: msg, Type: "json_invalid"})
		return
	}
	problem := func(field, msg string) {
		rec.Problems = append(rec.Problems, auth.FieldError{Field: field, Msg: msg, Type: "type_error"})
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := obj[k]
		if string(v) == "null" {
			continue
		}
		switch k {
		case "roles":
			if err := json.Unmarshal(v, &rec.Roles); err != nil {
				rec.Roles = nil
				problem(k, "must be a list of strings")
			}
		case "is_active", "has_given_consent":
			var b bool
			if err := json.Unmarshal(v, &b); err != nil {
				problem(k, "must be true or false")
			} else {
				rec.Set(k, fmt.Sprint(b))
			}
		default:
			var s string
			if !slices.Contains(Fields, k) {
				problem(printableKey(k), "unknown field")
			} else if err := json.Unmarshal(v, &s); err != nil {
				problem(k, "must be a string")
			} else {
				rec.Set(k, s)
			}
		}
	}
}

// printableKey shows an unknown key or column name safely: short, and quoted when odd.
func printableKey(k string) string {
	if len(k) > 64 {
		k = k[:64] + "…"
	}
	for _, c := range k {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Sprintf("%q", k)
		}
	}
	return k
}

type csvReader struct {
	cr   *csv.Reader
	cols []string // field name of each column
	line int      // where the last record started
}

func newCSVReader(r io.Reader) (*csvReader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // a short or long row is a bad row, not the end of the file
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: a CSV import starts with a header row naming its columns")
	}
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	cols := make([]string, len(header))
	var unknown, dup []string
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch {
		case !slices.Contains(Fields, name):
			unknown = append(unknown, printableKey(h))
		case slices.Contains(cols[:i], name):
			dup = append(dup, name)
		}
		cols[i] = name
	}
	var missing []string
	for _, req := range RequiredFields {
		if !slices.Contains(cols, req) {
			missing = append(missing, req)
		}
	}
	var problems []string
	if len(unknown) > 0 {
		problems = append(problems, "unknown columns: "+strings.Join(unknown, ", ")+" (known: "+strings.Join(Fields, ", ")+")")
	}
	if len(dup) > 0 {
		problems = append(problems, "columns given twice: "+strings.Join(dup, ", "))
	}
	if len(missing) > 0 {
		problems = append(problems, "missing required columns: "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return nil, errors.New("header: " + strings.Join(problems, "; "))
	}
	line, _ := cr.FieldPos(0)
	return &csvReader{cr: cr, cols: cols, line: line}, nil
}

func (r *csvReader) next() (*Record, error) {
	fields, err := r.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// A quoting error leaves the reader unsure where the next row starts: stop rather than guess.
		return nil, &FileError{Line: pe.StartLine, Err: fmt.Errorf("not valid CSV: %w", pe.Err)}
	}
	if err != nil {
		return nil, &FileError{Line: r.line + 1, Err: err}
	}
	r.line, _ = r.cr.FieldPos(0)
	rec := &Record{Line: r.line}
	if len(fields) != len(r.cols) {
		rec.Problems = []auth.FieldError{{Msg: fmt.Sprintf("has %d fields, the header has %d", len(fields), len(r.cols)), Type: "value_error"}}
		return rec, nil
	}
	for i, v := range fields {
		if r.cols[i] == "roles" {
			for role := range strings.SplitSeq(v, ";") {
				if role = strings.TrimSpace(role); role != "" {
					rec.Roles = append(rec.Roles, role)
				}
			}
			continue
		}
		rec.Set(r.cols[i], v)
	}
	return rec, nil
}
