package ui

import (
	"encoding/json"
	"github.com/pouchmail/pouch/app/format"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// TestMain runs the tests in English whatever the machine's locale, since tests compare
// widget text with English strings.
func TestMain(m *testing.M) {
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Setenv("LANG", "en_US.UTF-8")
	setLanguage("en")
	os.Exit(m.Run())
}

// setLanguage makes lang use the given language (the lang package follows the environment,
// read again each time translations are added).
func setLanguage(l string) {
	os.Setenv("LANG", l)
	data, err := translations.ReadFile("translations/" + l + ".json")
	if err != nil {
		panic(err)
	}
	if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
		panic(err)
	}
}

// textCalls are the calls whose string arguments are shown to the user.
var textCalls = map[string]bool{}

func init() {
	for _, s := range strings.Fields("NewLabel NewButton NewButtonWithIcon NewCheck SetText SetPlaceHolder " +
		"NewFormItem setStatus showError NewCustomConfirm NewCustom NewCustomWithoutButtons NewConfirm " +
		"ShowConfirm ShowInformation NewInformation NewMenuItem NewMenu NewWindow SetTitle finish setBusy " +
		"accountSaved clear composeFromOpen key WriteString NewLabelWithStyle NewHyperlink SendNotification NewNotification") {
		textCalls[s] = true
	}
}

// notText are literals with letters that are not words to translate.
var notText = map[string]bool{"pouch-": true, ".mbox": true, "SHA-256": true, "POP3": true, "SMTP": true, "TLS": true, "STARTTLS": true}

type uiSource struct {
	fset  *token.FileSet
	files []*ast.File
}

func parseUI(t *testing.T) uiSource {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	src := uiSource{fset: token.NewFileSet()}
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(src.fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		src.files = append(src.files, f)
	}
	return src
}

func callName(c *ast.CallExpr) (pkg, name string) {
	switch fn := c.Fun.(type) {
	case *ast.SelectorExpr:
		if id, ok := fn.X.(*ast.Ident); ok {
			pkg = id.Name
		}
		return pkg, fn.Sel.Name
	case *ast.Ident:
		return "", fn.Name
	}
	return "", ""
}

// usedKeys are the keys passed to lang.L/X/N/XN, with whether they are plural.
func (s uiSource) usedKeys(t *testing.T) map[string]bool {
	keys := map[string]bool{}
	for _, f := range s.files {
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			pkg, name := callName(c)
			switch name {
			case "L", "X", "N", "XN", "Localize", "LocalizeKey", "LocalizePlural", "LocalizePluralKey":
			default:
				return true
			}
			if pkg != "lang" || len(c.Args) == 0 {
				return true
			}
			k, ok := constString(c.Args[0])
			if !ok {
				t.Errorf("%s: lang.%s with a key that is not a string literal", s.fset.Position(c.Pos()), name)
				return true
			}
			keys[k] = keys[k] || strings.Contains(name, "N") || strings.Contains(name, "Plural")
			return true
		})
	}
	return keys
}

// constString is the value of a string literal, or of literals joined with +.
func constString(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		x, ok := constString(e.X)
		y, ok2 := constString(e.Y)
		return x + y, ok && ok2
	}
	return "", false
}

var placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)

func placeholders(s string) string {
	p := placeholder.FindAllString(s, -1)
	sort.Strings(p)
	return strings.Join(p, " ")
}

// TestTranslations fails when a key used in the window is missing from a language file,
// when a file keeps keys nothing uses, when a translation drops or renames a {{.Placeholder}},
// and when a string literal reaches a widget or dialog without going through lang.
func TestTranslations(t *testing.T) {
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		t.Fatal(err)
	}
	src := parseUI(t)
	used := src.usedKeys(t)
	for _, l := range []string{"en", "de", "fr", "es", "pt"} {
		data, err := translations.ReadFile("translations/" + l + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var file map[string]any
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatalf("%s.json: %v", l, err)
		}
		for k, plural := range used {
			v, ok := file[k]
			if !ok {
				t.Errorf("%s.json: no translation for %q", l, k)
				continue
			}
			forms := map[string]any{"other": v}
			if plural {
				m, ok := v.(map[string]any)
				if !ok || m["one"] == nil || m["other"] == nil {
					t.Errorf("%s.json: %q needs the plural forms one and other", l, k)
					continue
				}
				forms = m
			}
			for form, tr := range forms {
				s, ok := tr.(string)
				if !ok || s == "" {
					t.Errorf("%s.json: %q (%s) is not a text", l, k, form)
					continue
				}
				if form == "other" && placeholders(s) != placeholders(k) {
					t.Errorf("%s.json: %q translates the placeholders %q as %q", l, k, placeholders(k), placeholders(s))
				}
			}
		}
		for k := range file {
			if _, ok := used[k]; !ok {
				t.Errorf("%s.json: %q is used nowhere in the window (stale)", l, k)
			}
		}
	}

	// Literals shown to the user without lang.
	var flag func(e ast.Expr)
	flag = func(e ast.Expr) {
		switch e := e.(type) {
		case *ast.BasicLit:
			if e.Kind != token.STRING {
				return
			}
			s, _ := strconv.Unquote(e.Value)
			if strings.ContainsFunc(s, unicode.IsLetter) && !notText[strings.TrimSpace(s)] {
				t.Errorf("%s: %s is shown without translation (wrap it in lang.L)", src.fset.Position(e.Pos()), e.Value)
			}
		case *ast.BinaryExpr:
			if e.Op == token.ADD {
				flag(e.X)
				flag(e.Y)
			}
		case *ast.ParenExpr:
			flag(e.X)
		}
	}
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				if s, ok := n.Lhs[0].(*ast.SelectorExpr); ok && len(n.Rhs) == 1 {
					switch s.Sel.Name {
					case "HintText", "PlaceHolder", "Title":
						flag(n.Rhs[0])
					}
				}
			case *ast.CallExpr:
				_, name := callName(n)
				for i, a := range n.Args {
					// entry and number: the placeholder or the problem comes last.
					if textCalls[name] || ((name == "entry" || name == "number") && i == len(n.Args)-1) {
						if b, ok := a.(*ast.BasicLit); ok && (name == "entry" || name == "number") && strings.Contains(strings.ToLower(b.Value), "example") {
							continue // a sample value, not words
						}
						flag(a)
					}
				}
			}
			return true
		})
	}
}

// TestTranslationsLoad checks that another language is really used when the system asks for it.
func TestTranslationsLoad(t *testing.T) {
	defer setLanguage("en")
	setLanguage("de")
	if got := lang.L("Check now"); got == "Check now" {
		t.Errorf(`in German, "Check now" stays %q`, got)
	}
	if got := newMailNotification("Home", 3, nil).Title; got != "3 neue Nachrichten in Home" {
		t.Errorf("German plural: %q", got)
	}
	if got := longDate(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)); got != "Montag, 2. März 2026, 09:05" {
		t.Errorf("German date: %q", got)
	}
	if got, want := sizeText(1536*1024), strings.Replace(format.Bytes(1536*1024), ".", ",", 1); got != want || !strings.Contains(got, ",") {
		t.Errorf("German size: %q, want %q", got, want)
	}
	setLanguage("en")
	if got := sizeText(1536 * 1024); got != format.Bytes(1536*1024) {
		t.Errorf("English size: %q", got)
	}
	if got := newMailNotification("Home", 1, nil).Title; got != "1 new message in Home" {
		t.Errorf("English singular: %q", got)
	}
	if got := longDate(time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)); got != "Monday 2 March 2026, 09:05" {
		t.Errorf("English date: %q", got)
	}
	if got := intervalLabel(120); got != "2 hours" {
		t.Errorf("English plural: %q", got)
	}
}
