package web_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirections keeps the layering of DESIGN.md: nothing in internal/
// imports the web layer, the web layer reaches AWS only through
// internal/cloud, forms stay free of the SDK, and the emulator never uses
// Berth's own adapters.
func TestImportDirections(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}} {{join .TestImports \" \"}}", "../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/berthhq/berth/"
	rules := []struct {
		pkgPrefix, forbidden, why string
	}{
		{mod + "internal/", mod + "web", "internal packages must not import the web layer"},
		{mod + "web", "github.com/aws/aws-sdk-go-v2", "the web layer reaches AWS only through internal/cloud"},
		{mod + "web/form", "github.com/aws/", "forms have no SDK imports"},
		{mod + "internal/awsrules", mod, "awsrules is stdlib only"},
		{mod + "internal/emulator", mod + "internal/cloud", "the emulator never imports Berth's SDK adapters"},
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := fields[0]
		checked++
		for _, imp := range fields[1:] {
			for _, r := range rules {
				if (pkg == strings.TrimSuffix(r.pkgPrefix, "/") || strings.HasPrefix(pkg, r.pkgPrefix)) && strings.HasPrefix(imp, r.forbidden) && imp != pkg {
					t.Errorf("%s imports %s: %s", pkg, imp, r.why)
				}
			}
		}
	}
	if checked < 5 {
		t.Fatalf("go list saw only %d packages", checked)
	}
}
