// Package buildinfo says which build of phoneauth is running. The Makefile and the Dockerfile stamp
// the version and the commit at link time:
//
//	go build -ldflags "-X github.com/phoneauth/phoneauth/internal/buildinfo.version=v1.2.3 \
//	  -X github.com/phoneauth/phoneauth/internal/buildinfo.commit=0123abc…" ./cmd/phoneauth
//
// A plain go build falls back to what the Go toolchain recorded in the binary: the module version
// and the VCS revision (with "-dirty" when the work tree had changes).
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set with -ldflags -X; empty in a plain go build.
var version, commit string

// Info identifies a build.
type Info struct {
	Version   string // "v1.2.3", a git describe, the module version, or "dev"
	Commit    string // the full commit hash, or "unknown"
	GoVersion string // the toolchain that built it, e.g. "go1.26.8"
}

// Get returns this binary's build information.
func Get() Info {
	var bi *debug.BuildInfo
	if b, ok := debug.ReadBuildInfo(); ok {
		bi = b
	}
	return resolve(version, commit, bi)
}

// resolve prefers the stamped values, then the toolchain's record, then placeholders.
func resolve(version, commit string, bi *debug.BuildInfo) Info {
	i := Info{Version: version, Commit: commit, GoVersion: runtime.Version()}
	if bi != nil {
		if i.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			i.Version = bi.Main.Version
		}
		if i.Commit == "" {
			var rev string
			var dirty bool
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if rev != "" && dirty {
				rev += "-dirty"
			}
			i.Commit = rev
		}
		if bi.GoVersion != "" {
			i.GoVersion = bi.GoVersion
		}
	}
	if i.Version == "" {
		i.Version = "dev"
	}
	if i.Commit == "" {
		i.Commit = "unknown"
	}
	return i
}

// String is the one line "phoneauth version" prints.
func (i Info) String() string {
	return "phoneauth " + i.Version + " (commit " + i.Commit + ", " + i.GoVersion + ")"
}
