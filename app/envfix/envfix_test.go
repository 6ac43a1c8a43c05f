package envfix

import "testing"

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want map[string]string
	}{
		{map[string]string{"LANG": "C.UTF-8"}, map[string]string{"LANG": "C"}},
		{map[string]string{"LANG": "POSIX.utf8"}, map[string]string{"LANG": "C"}},
		{map[string]string{"LANG": "C"}, map[string]string{"LANG": "C"}},
		{map[string]string{"LANG": "de_DE.UTF-8"}, map[string]string{"LANG": "de_DE.UTF-8"}},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}, map[string]string{"LC_ALL": "C", "LANG": "C.UTF-8"}},
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C.UTF-8"}},
		{map[string]string{"LC_MESSAGES": "C.UTF-8@euro"}, map[string]string{"LC_MESSAGES": "C"}},
		{map[string]string{}, map[string]string{}},
	} {
		env := map[string]string{}
		for k, v := range tc.env {
			env[k] = v
		}
		Normalize(func(k string) string { return env[k] }, func(k, v string) error { env[k] = v; return nil })
		for k, v := range tc.want {
			if env[k] != v {
				t.Errorf("%v: %s = %q, want %q", tc.env, k, env[k], v)
			}
		}
	}
}
