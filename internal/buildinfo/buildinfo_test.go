package buildinfo

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	vcs := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201000000-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		name            string
		version, commit string
		bi              *debug.BuildInfo
		want            Info
	}{
		{"stamped", "v1.2.3", "feedface", vcs, Info{"v1.2.3", "feedface", "go1.26.8"}},
		{"from the toolchain", "", "", vcs, Info{"v0.0.0-20261201000000-0123456789ab+dirty", "0123456789abcdef-dirty", "go1.26.8"}},
		{"a devel build without VCS", "", "", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, Info{"dev", "unknown", "go1.26.8"}},
		{"no build info", "", "", nil, Info{"dev", "unknown", runtime.Version()}},
	} {
		if got := resolve(tc.version, tc.commit, tc.bi); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if got := (Info{"v1.2.3", "feedface", "go1.26.8"}).String(); got != "phoneauth v1.2.3 (commit feedface, go1.26.8)" {
		t.Errorf("String() = %q", got)
	}
}
