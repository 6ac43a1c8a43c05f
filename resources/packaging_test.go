package resources

import (
	"encoding/xml"
	"os"
	"regexp"
	"testing"
)

// TestPackagingAgrees: the AppStream metainfo names the application FyneApp.toml packages (its
// ID, the .desktop entry fyne writes, the current version), so software centres match them up.
func TestPackagingAgrees(t *testing.T) {
	toml, err := os.ReadFile("../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^\s*` + name + `\s*=\s*"([^"]*)"`).FindSubmatch(toml)
		if m == nil {
			t.Fatalf("FyneApp.toml has no %s", name)
		}
		return string(m[1])
	}
	id, version, name := field("ID"), field("Version"), field("Name")
	b, err := os.ReadFile("../packaging/" + id + ".metainfo.xml")
	if err != nil {
		t.Fatalf("no metainfo named after the app ID: %v", err)
	}
	var mi struct {
		ID         string `xml:"id"`
		Name       string `xml:"name"`
		Launchable string `xml:"launchable"`
		Binary     string `xml:"provides>binary"`
		Releases   []struct {
			Version string `xml:"version,attr"`
		} `xml:"releases>release"`
	}
	if err := xml.Unmarshal(b, &mi); err != nil {
		t.Fatal(err)
	}
	if mi.ID != id || mi.Name != name || mi.Launchable != id+".desktop" || mi.Binary != "pouch" {
		t.Errorf("metainfo %+v does not match FyneApp.toml (ID %s, Name %s)", mi, id, name)
	}
	if len(mi.Releases) == 0 || mi.Releases[0].Version != version {
		t.Errorf("metainfo's latest release %+v, want FyneApp.toml's version %s", mi.Releases, version)
	}
}
