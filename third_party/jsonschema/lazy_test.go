package jsonschema

import (
	"strings"
	"sync"
	"testing"
)

// TestDraftsCompiledOnFirstUse (phoneauth patch): the drafts' meta-schemas are compiled by the first
// Compile, once, however many compilers race to it, and they then validate schemas as before.
func TestDraftsCompiledOnFirstUse(t *testing.T) {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c := NewCompiler()
			if i%2 == 0 {
				c.DefaultDraft(Draft7)
			}
			url := "schema.json"
			doc, err := UnmarshalJSON(strings.NewReader(`{"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}}`))
			if err != nil {
				t.Error(err)
				return
			}
			if err := c.AddResource(url, doc); err != nil {
				t.Error(err)
				return
			}
			sch, err := c.Compile(url)
			if err != nil {
				t.Error(err)
				return
			}
			bad, _ := UnmarshalJSON(strings.NewReader(`{"n": 0}`))
			if sch.Validate(bad) == nil {
				t.Error("n=0 validated against minimum 1")
			}
		}(i)
	}
	wg.Wait()
	for _, d := range []*Draft{Draft4, Draft6, Draft7, Draft2019, Draft2020} {
		if d.sch == nil {
			t.Errorf("draft %d: meta-schema not compiled", d.version)
		}
	}
	// A schema that breaks its meta-schema is refused, so the meta-schemas are in use.
	c := NewCompiler()
	doc, _ := UnmarshalJSON(strings.NewReader(`{"type": 12}`))
	if err := c.AddResource("bad.json", doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("bad.json"); err == nil {
		t.Error(`{"type": 12} compiled`)
	}
}
