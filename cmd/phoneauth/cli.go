package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/phoneauth/phoneauth/server"
)

// app is what a command runs with.
type app struct {
	cfg            config // the loaded configuration (zero for commands that need none)
	log            *slog.Logger
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
}

// action runs a command on its positional arguments, after its flags were parsed.
type action func(ctx context.Context, a *app, args []string) error

// command is one command of the CLI, with its help.
type command struct {
	name     string // as typed: "serve", "users create"
	synopsis string // what follows the name in the usage line
	summary  string // one line, for phoneauth --help
	help     string // what the command's --help says after its usage line
	// noConfig commands run without loading the configuration: they must work whatever it holds.
	noConfig bool
	// setup declares the command's flags on fs and returns the action that reads them.
	setup func(fs *flag.FlagSet) action
}

// noFlags is the setup of a command without flags or arguments.
func noFlags(run func(ctx context.Context, a *app) error) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action {
		return func(ctx context.Context, a *app, args []string) error {
			if len(args) > 0 {
				return usageError{"unexpected arguments: " + strings.Join(args, " ")}
			}
			return run(ctx, a)
		}
	}
}

// commands lists every command in the order phoneauth --help shows them.
var commands = []*command{
	{name: "serve", summary: "start the HTTP server (the default command; applies pending migrations first)",
		help: `Starts the HTTP API on PHONEAUTH_ADDR, after applying pending database migrations. SIGTERM or SIGINT
stops accepting connections and lets requests in flight finish within PHONEAUTH_SHUTDOWN_TIMEOUT.
With PHONEAUTH_ENV=production it refuses to start, listing every reason, when a setting is unsafe;
otherwise it starts and logs one warning naming each.`,
		setup: noFlags(serve)},
	{name: "migrate", summary: "apply database migrations and exit",
		help:  `Applies the pending migrations of PHONEAUTH_DATABASE_URL and exits (serve does it too, at start-up).`,
		setup: noFlags(migrate)},
	{name: "purge", summary: "delete ended sessions, dead code challenges and lockout counters once; prints the counts",
		help: `Deletes, once, the rows no rule needs any more (serve does it every PHONEAUTH_PURGE_INTERVAL), and
prints how many of each it deleted. For a cron job when PHONEAUTH_PURGE_INTERVAL is 0.`,
		setup: noFlags(purge)},
	{name: "users create", synopsis: "--phone P --name N [--email E] [--role admin] [--consent] --password-stdin",
		summary: "create a user (how the first admin is made); prints its id",
		help: `Creates a user and prints its id. The password is read from the first line of standard input,
never from the command line. Exit status: 0 created, 1 the phone number or email is taken, 2 invalid input.`,
		setup: createUserFlags},
	{name: "users import", synopsis: "[--format jsonl|csv] [--dry-run] FILE",
		summary: "import users exported from the FastAPI service (FILE - is standard input)",
		help: `Imports users with their ids and password hashes from a JSONL or CSV export (see README.md). Rejected
rows are listed on standard error, one line each ("line N: …"); the summary goes to standard output.
Exit status: 0 every row imported, 1 some rejected, 2 bad usage or an unreadable file.`,
		setup: importUsersFlags},
	{name: "keys rotate", summary: "make a new signing key (prints its kid); every instance signs with it within a minute",
		help: `Makes a new signing key and prints its kid. Every instance signs with it within a minute; the old key
keeps verifying until the tokens it signed have expired.`,
		setup: noFlags(func(ctx context.Context, a *app) error { return keys(ctx, a, "rotate") })},
	{name: "keys list", summary: "show the signing keys: signing, verifying until …, or retired",
		help:  `Shows the signing keys, newest first: the one signing, those still verifying and until when, and the retired.`,
		setup: noFlags(func(ctx context.Context, a *app) error { return keys(ctx, a, "list") })},
	{name: "healthcheck", synopsis: "[--timeout 3s]", noConfig: true,
		summary: "ask the server on PHONEAUTH_ADDR whether it is ready (/readyz): exit 0 ready, 1 not",
		help: `Asks the server listening on PHONEAUTH_ADDR (127.0.0.1 when its host is empty, 0.0.0.0 or ::) for
GET /readyz, for container health checks (the Dockerfile's HEALTHCHECK, compose.yaml). Exit status: 0
ready, 1 not ready or unreachable. It reads no other setting.`,
		setup: healthcheckFlags},
	{name: "version", summary: "print the version and commit (also --version)", noConfig: true,
		help:  `Prints the version, the commit and the Go version this binary was built from.`,
		setup: noFlags(version)},
}

// groups are the first words of two-word commands.
var groups = map[string]string{
	"users": "manage users",
	"keys":  "manage the signing keys",
}

func findCommand(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// usageError is bad usage: exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// helpRequest asks for the help of a command or group ("" for the top level): exit 0.
type helpRequest struct{ topic string }

func (helpRequest) Error() string { return "help" }

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}

// resolve finds the command args name (serve when there are none) and returns the rest of args.
func resolve(args []string) (*command, []string, error) {
	if len(args) == 0 {
		return findCommand("serve"), nil, nil
	}
	first := args[0]
	switch {
	case isHelp(first):
		return nil, nil, helpRequest{strings.Join(args[1:], " ")}
	case first == "--version" || first == "-version":
		return findCommand("version"), args[1:], nil
	}
	if _, ok := groups[first]; ok {
		if len(args) == 1 {
			return nil, nil, usageError{first + " needs a subcommand: " + strings.Join(subcommands(first), " or ") + " (phoneauth " + first + " --help)"}
		}
		if isHelp(args[1]) {
			return nil, nil, helpRequest{first}
		}
		if c := findCommand(first + " " + args[1]); c != nil {
			return c, args[2:], nil
		}
		return nil, nil, usageError{"unknown command: " + first + " " + args[1] + " (phoneauth " + first + " --help lists its subcommands)"}
	}
	if c := findCommand(first); c != nil {
		return c, args[1:], nil
	}
	if strings.HasPrefix(first, "-") {
		return nil, nil, usageError{"unknown flag: " + first + " (phoneauth --help lists the commands)"}
	}
	return nil, nil, usageError{"unknown command: " + first + " (phoneauth --help lists the commands)"}
}

func subcommands(group string) []string {
	var subs []string
	for _, c := range commands {
		if g, sub, ok := strings.Cut(c.name, " "); ok && g == group {
			subs = append(subs, sub)
		}
	}
	return subs
}

// parse parses a command's flags, which may come before or after its arguments. --help anywhere
// asks for the command's help.
func (c *command) parse(args []string) (action, []string, error) {
	fs := c.flagSet()
	act := c.setup(fs)
	var positional []string
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			return nil, nil, helpRequest{c.name}
		case err != nil:
			return nil, nil, usageError{err.Error() + " (phoneauth " + c.name + " --help)"}
		}
		if fs.NArg() == 0 {
			return act, positional, nil
		}
		positional, args = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
}

func (c *command) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("phoneauth "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// printHelp writes the help of topic: a command, a group or "" (everything).
func printHelp(w io.Writer, topic string) error {
	if c := findCommand(topic); c != nil {
		fmt.Fprintf(w, "usage: phoneauth %s\n\n%s\n", strings.TrimSpace(c.name+" "+c.synopsis), c.help)
		fs := c.flagSet()
		c.setup(fs)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nflags:")
		fs.VisitAll(func(f *flag.Flag) {
			name, usage := flag.UnquoteUsage(f)
			arg := "--" + f.Name
			if name != "" {
				arg += " " + name
			}
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
				usage += " (default " + f.DefValue + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", arg, usage)
		})
		fmt.Fprintf(tw, "  %s\t%s\n", "-h, --help", "show this help")
		return tw.Flush()
	}
	if summary, ok := groups[topic]; ok {
		fmt.Fprintf(w, "usage: phoneauth %s COMMAND\n\n%s:\n", topic, summary)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, c := range commands {
			if strings.HasPrefix(c.name, topic+" ") {
				fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
			}
		}
		_ = tw.Flush()
		fmt.Fprintf(w, "\nRun phoneauth %s COMMAND --help for a command's own help.\n", topic)
		return nil
	}
	if topic != "" {
		return usageError{"no help for " + topic + ": it is not a command (phoneauth --help lists the commands)"}
	}
	fmt.Fprint(w, "usage: phoneauth [COMMAND] [FLAGS] [ARGS]\n\ncommands:\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	_ = tw.Flush()
	fmt.Fprint(w, `
Run phoneauth COMMAND --help (or phoneauth help COMMAND) for a command's own help.

Configuration comes from PHONEAUTH_* environment variables (README.md, "Configuration"). With
PHONEAUTH_ENV=production, serve refuses unsafe settings and every command refuses unknown variables.
Logs and errors are JSON lines on standard error; a command's answer goes to standard output.
Exit status: 0 success, 1 failure, 2 bad usage or configuration.
`)
	return nil
}

// newLogger is the one logger of every command: JSON lines on w, each naming its request's id.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(server.LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}

// variableName finds the variable a problem names first ("" for none).
var variableName = regexp.MustCompile(`PHONEAUTH_[A-Z0-9_]+`)
