package form

import (
	"encoding/json"
	"sort"
	"strconv"
)

// TaskDefDiffRow is one setting in a side-by-side comparison; an empty
// side means the setting is not there.
type TaskDefDiffRow struct {
	Path, A, B string
	Changed    bool
}

// TaskDefDiffSection is the task-level part or one container of a comparison.
type TaskDefDiffSection struct {
	Title   string
	Rows    []TaskDefDiffRow
	Changed int
}

// TaskDefDiff compares two task definitions side by side: the task-level
// settings, then each container matched by name. Read-only keys should be
// removed first (ParseTaskDefDoc does); what makes no difference to ECS
// (empty lists, false flags) is left out so only real changes show.
func TaskDefDiff(a, b TaskDefDoc) []TaskDefDiffSection {
	ta, tb := tdPrunedMap(a), tdPrunedMap(b)
	ca, _ := ta["containerDefinitions"].([]any)
	cb, _ := tb["containerDefinitions"].([]any)
	delete(ta, "containerDefinitions")
	delete(tb, "containerDefinitions")
	out := []TaskDefDiffSection{tdDiffSection("Task definition", ta, tb)}

	byName := func(list []any) (map[string]map[string]any, []string) {
		m := map[string]map[string]any{}
		var order []string
		for i, c := range list {
			cm, _ := c.(map[string]any)
			name, _ := cm["name"].(string)
			if name == "" {
				name = "#" + strconv.Itoa(i+1)
			}
			if _, dup := m[name]; !dup {
				order = append(order, name)
			}
			m[name] = cm
		}
		return m, order
	}
	ma, oa := byName(ca)
	mb, ob := byName(cb)
	names := oa
	for _, n := range ob {
		if _, ok := ma[n]; !ok {
			names = append(names, n)
		}
	}
	for _, n := range names {
		out = append(out, tdDiffSection("Container "+n, ma[n], mb[n]))
	}
	return out
}

func tdPrunedMap(d TaskDefDoc) map[string]any {
	m, _ := tdPrune(map[string]any(d)).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

func tdDiffSection(title string, a, b map[string]any) TaskDefDiffSection {
	fa, fb := map[string]string{}, map[string]string{}
	if a != nil {
		tdFlatten("", a, fa)
	}
	if b != nil {
		tdFlatten("", b, fb)
	}
	keys := make([]string, 0, len(fa)+len(fb))
	for k := range fa {
		keys = append(keys, k)
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	s := TaskDefDiffSection{Title: title}
	for _, k := range keys {
		row := TaskDefDiffRow{Path: k, A: fa[k], B: fb[k], Changed: fa[k] != fb[k]}
		if row.Changed {
			s.Changed++
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

// tdFlatten writes leaf settings as path -> text. Lists of named objects
// (environment, secrets, port mappings with names…) are keyed by name so
// a reordered list is not a change; lists of plain values stay one setting.
func tdFlatten(prefix string, v any, out map[string]string) {
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			tdFlatten(join(k), e, out)
		}
	case []any:
		objects := len(x) > 0
		for _, e := range x {
			if _, ok := e.(map[string]any); !ok {
				objects = false
			}
		}
		if !objects {
			b, _ := json.Marshal(x)
			out[prefix] = string(b)
			return
		}
		for i, e := range x {
			m := e.(map[string]any)
			key := strconv.Itoa(i)
			if n, ok := m["name"].(string); ok && n != "" {
				key = n
			} else if n, ok := m["containerName"].(string); ok && n != "" {
				key = n
			} else if n, ok := m["key"].(string); ok && n != "" {
				key = n
			}
			tdFlatten(prefix+"["+key+"]", m, out)
		}
	case string:
		out[prefix] = x
	default:
		b, _ := json.Marshal(x)
		out[prefix] = string(b)
	}
}
