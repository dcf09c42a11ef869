package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/phoneauth/phoneauth/auth"
)

// importUsers is "phoneauth users import": it streams a JSONL or CSV export of the FastAPI service's
// users into the database. Bad rows go to stderr, one line each; the summary goes to stdout. Exit 0
// when every row was imported, 1 when some were rejected (or the database failed), 2 for bad usage or
// a file that cannot be read as the format.
func importUsers(ctx context.Context, cfg config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("users import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "jsonl or csv (default: from the file's extension: .jsonl, .ndjson, .csv)")
	dryRun := fs.Bool("dry-run", false, "check every row against the rules and the database; write nothing")
	var files []string
	for { // flags may come before or after FILE
		if err := fs.Parse(args); err != nil {
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		return usageError{"users import needs one FILE (- for standard input)"}
	}
	name := files[0]
	f, err := importFormat(*format, name)
	if err != nil {
		return err
	}
	in := stdin
	if name != "-" {
		file, err := os.Open(name)
		if err != nil {
			return usageError{err.Error()}
		}
		defer file.Close()
		in = file
	}
	if name == "-" {
		name = "standard input"
	}
	rr, err := newRecordReader(f, in)
	if err != nil {
		return usageError{name + ": " + err.Error()}
	}

	db, svc, err := openCLI(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriter(stderr) // a million bad rows should not be a million writes
	res, err := svc.Import(ctx, db.Users(), records(rr), auth.ImportOptions{
		DryRun: *dryRun,
		Rejected: func(line int, fields []auth.FieldError) {
			fmt.Fprintf(out, "line %d: %s\n", line, describeFields(fields))
		},
	})
	_ = out.Flush()
	verb := "imported"
	if *dryRun {
		verb = "would import"
	}
	fmt.Fprintf(stdout, "%s %d, rejected %d\n", verb, res.Imported, res.Rejected)
	var fe *fileError
	switch {
	case errors.As(err, &fe):
		return usageError{fmt.Sprintf("%s: %v; stopped there: the rows before line %d were handled as reported, none after", name, fe, fe.line)}
	case err != nil:
		return fmt.Errorf("%w; stopped: the rows reported above were handled, the rest were not", err)
	case res.Rejected > 0 && *dryRun:
		return fmt.Errorf("%d of %d rows would be rejected (listed above)", res.Rejected, res.Imported+res.Rejected)
	case res.Rejected > 0:
		return fmt.Errorf("%d of %d rows rejected (listed above); none of them was written", res.Rejected, res.Imported+res.Rejected)
	}
	return nil
}

const (
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

func importFormat(flagValue, name string) (string, error) {
	switch strings.ToLower(flagValue) {
	case "jsonl", "ndjson":
		return formatJSONL, nil
	case "csv":
		return formatCSV, nil
	case "":
	default:
		return "", usageError{"--format must be jsonl or csv"}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return formatJSONL, nil
	case ".csv":
		return formatCSV, nil
	}
	return "", usageError{"cannot tell the format of " + name + ": name it .jsonl or .csv, or use --format"}
}

// describeFields renders a rejected row's reasons: "email: value is not a valid email address; …".
func describeFields(fields []auth.FieldError) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		if f.Field == "" {
			parts[i] = f.Msg
		} else {
			parts[i] = f.Field + ": " + f.Msg
		}
	}
	return strings.Join(parts, "; ")
}

// fileError is a file that cannot be read on from line on (exit 2).
type fileError struct {
	line int
	err  error
}

func (e *fileError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *fileError) Unwrap() error { return e.err }

// recordReader yields one record per call, io.EOF at the end; an error of its own is a *fileError.
type recordReader interface {
	next() (*auth.ImportRecord, error)
}

func records(rr recordReader) iter.Seq2[*auth.ImportRecord, error] {
	return func(yield func(*auth.ImportRecord, error) bool) {
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

// newRecordReader starts reading; for CSV it reads and checks the header.
func newRecordReader(format string, r io.Reader) (recordReader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(3) // Excel and Python's utf-8-sig write one
	}
	if format == formatCSV {
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

func (r *jsonlReader) next() (*auth.ImportRecord, error) {
	for {
		raw, tooLong, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, &fileError{line: r.line + 1, err: err}
		}
		if errors.Is(err, io.EOF) && len(raw) == 0 && !tooLong {
			return nil, io.EOF
		}
		r.line++
		rec := &auth.ImportRecord{Line: r.line}
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
func decodeJSONRecord(raw []byte, rec *auth.ImportRecord) {
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
			if !slices.Contains(auth.ImportFields, k) {
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
		case !slices.Contains(auth.ImportFields, name):
			unknown = append(unknown, printableKey(h))
		case slices.Contains(cols[:i], name):
			dup = append(dup, name)
		}
		cols[i] = name
	}
	var missing []string
	for _, req := range auth.RequiredImportFields {
		if !slices.Contains(cols, req) {
			missing = append(missing, req)
		}
	}
	var problems []string
	if len(unknown) > 0 {
		problems = append(problems, "unknown columns: "+strings.Join(unknown, ", ")+" (known: "+strings.Join(auth.ImportFields, ", ")+")")
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

func (r *csvReader) next() (*auth.ImportRecord, error) {
	fields, err := r.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// A quoting error leaves the reader unsure where the next row starts: stop rather than guess.
		return nil, &fileError{line: pe.StartLine, err: fmt.Errorf("not valid CSV: %w", pe.Err)}
	}
	if err != nil {
		return nil, &fileError{line: r.line + 1, err: err}
	}
	r.line, _ = r.cr.FieldPos(0)
	rec := &auth.ImportRecord{Line: r.line}
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
