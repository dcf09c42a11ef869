package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/phoneauth/phoneauth/auth"
	"github.com/phoneauth/phoneauth/auth/importer"
	"github.com/phoneauth/phoneauth/auth/phone"
)

// importUsersFlags is "phoneauth users import": it streams a JSONL or CSV export of the FastAPI
// service's users into the database. Bad rows go to stderr, one line each; the summary goes to stdout.
// Exit 0 when every row was imported, 1 when some were rejected (or the database failed), 2 for bad
// usage or a file that cannot be read as the format.
func importUsersFlags(fs *flag.FlagSet) action {
	format := fs.String("format", "", "the file's `format`, jsonl or csv (default: from its extension: .jsonl, .ndjson, .csv)")
	dryRun := fs.Bool("dry-run", false, "check every row against the rules and the database; write nothing")
	return func(ctx context.Context, a *app, files []string) error {
		if len(files) != 1 {
			return usageError{"users import needs one FILE (- for standard input)"}
		}
		return importUsers(ctx, a, files[0], *format, *dryRun)
	}
}

func importUsers(ctx context.Context, a *app, name, format string, dryRun bool) error {
	f, err := importFormat(format, name)
	if err != nil {
		return err
	}
	in := a.stdin
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
	records, err := importer.Read(f, in)
	if err != nil {
		return usageError{name + ": " + err.Error()}
	}

	db, err := openStore(ctx, a.cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	imp, err := importer.New(auth.Env{Clock: auth.SystemClock{}, Logger: a.log, Audit: db.Audit(), Atomic: db},
		phone.Parser{DefaultRegion: a.cfg.defaultRegion}, db.Users())
	if err != nil {
		return err
	}
	out := bufio.NewWriter(a.stderr) // a million bad rows should not be a million writes
	res, err := imp.Import(ctx, records, importer.Options{
		DryRun: dryRun,
		Rejected: func(line int, fields []auth.FieldError) {
			fmt.Fprintf(out, "line %d: %s\n", line, importer.Describe(fields))
		},
	})
	_ = out.Flush()
	verb := "imported"
	if dryRun {
		verb = "would import"
	}
	fmt.Fprintf(a.stdout, "%s %d, rejected %d\n", verb, res.Imported, res.Rejected)
	var fe *importer.FileError
	switch {
	case errors.As(err, &fe):
		return usageError{fmt.Sprintf("%s: %v; stopped there: the rows before line %d were handled as reported, none after", name, fe, fe.Line)}
	case err != nil:
		return fmt.Errorf("%w; stopped: the rows reported above were handled, the rest were not", err)
	case res.Rejected > 0 && dryRun:
		return fmt.Errorf("%d of %d rows would be rejected (listed above)", res.Rejected, res.Imported+res.Rejected)
	case res.Rejected > 0:
		return fmt.Errorf("%d of %d rows rejected (listed above); none of them was written", res.Rejected, res.Imported+res.Rejected)
	}
	return nil
}

func importFormat(flagValue, name string) (string, error) {
	switch strings.ToLower(flagValue) {
	case "jsonl", "ndjson":
		return importer.FormatJSONL, nil
	case "csv":
		return importer.FormatCSV, nil
	case "":
	default:
		return "", usageError{"--format must be jsonl or csv"}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return importer.FormatJSONL, nil
	case ".csv":
		return importer.FormatCSV, nil
	}
	return "", usageError{"cannot tell the format of " + name + ": name it .jsonl or .csv, or use --format"}
}
