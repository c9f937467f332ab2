package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/emulator/emutest"
	"github.com/berthhq/berth/web/webtest"
)

var (
	tdFormRE     = regexp.MustCompile(`(?s)<form[^>]*id="builder"[^>]*>(.*?)</form>`)
	tdInputRE    = regexp.MustCompile(`<input\b[^>]*>`)
	tdSelectRE   = regexp.MustCompile(`(?s)<select\b([^>]*)>(.*?)</select>`)
	tdOptionRE   = regexp.MustCompile(`(?s)<option\b([^>]*)>`)
	tdTextareaRE = regexp.MustCompile(`(?s)<textarea\b([^>]*)>(.*?)</textarea>`)
	tdAttrRE     = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
)

func tdAttrs(tag string) map[string]string {
	m := map[string]string{}
	for _, a := range tdAttrRE.FindAllStringSubmatch(tag, -1) {
		m[a[1]] = html.UnescapeString(a[2])
	}
	return m
}

// builderValues reads the builder form of a rendered page as a browser
// submits it: inputs, checked boxes, selected options, textareas.
func builderValues(t *testing.T, body string) url.Values {
	t.Helper()
	fm := tdFormRE.FindStringSubmatch(body)
	if fm == nil {
		t.Fatalf("no builder form in page:\n%s", body)
	}
	v := url.Values{}
	inner := fm[1]
	for _, tag := range tdInputRE.FindAllString(inner, -1) {
		a := tdAttrs(strings.TrimPrefix(tag, "<input"))
		name := a["name"]
		if name == "" {
			continue
		}
		switch a["type"] {
		case "submit", "button":
			continue
		case "checkbox", "radio":
			if _, ok := a["checked"]; !ok {
				continue
			}
		}
		v.Add(name, a["value"])
	}
	for _, sm := range tdSelectRE.FindAllStringSubmatch(inner, -1) {
		name := tdAttrs(sm[1])["name"]
		if name == "" {
			continue
		}
		first, chosen := "", ""
		for i, om := range tdOptionRE.FindAllStringSubmatch(sm[2], -1) {
			oa := tdAttrs(om[1])
			if i == 0 {
				first = oa["value"]
			}
			if _, ok := oa["selected"]; ok {
				chosen = oa["value"]
			}
			if chosen == "" && i == 0 {
				chosen = ""
			}
		}
		if chosen == "" {
			chosen = first
		}
		v.Set(name, chosen)
	}
	for _, tm := range tdTextareaRE.FindAllStringSubmatch(inner, -1) {
		if name := tdAttrs(tm[1])["name"]; name != "" {
			v.Set(name, html.UnescapeString(tm[2]))
		}
	}
	return v
}

// tdAWS calls the shared emulator over its JSON 1.1 wire protocol. Web
// tests never use the SDK (internal/cloud owns it), and the AWS CLI costs a
// second a call; the browser test uses the CLI where the issue asks for it.
func tdAWS(t *testing.T, env *webtest.Env, target string, in, out any) {
	t.Helper()
	b, _ := json.Marshal(in)
	status, body := emutest.CallJSON(t, env.EmulatorURL+"/", target, string(b))
	if status != http.StatusOK {
		t.Fatalf("%s: %d %s", target, status, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
}

// tdECRImage creates an ECR repository with one image tagged tag and
// returns the repository URI.
func tdECRImage(t *testing.T, env *webtest.Env, repo, tag string) string {
	t.Helper()
	var out struct {
		Repository struct {
			RepositoryURI string `json:"repositoryUri"`
		} `json:"repository"`
	}
	const ecr = "AmazonEC2ContainerRegistry_V20150921."
	tdAWS(t, env, ecr+"CreateRepository", map[string]any{"repositoryName": repo}, &out)
	tdAWS(t, env, ecr+"PutImage", map[string]any{"repositoryName": repo, "imageTag": tag, "imageManifest": tdManifest}, nil)
	return out.Repository.RepositoryURI
}

const tdManifest = `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"sha256:9c7a54a9a43cca047013b82af109fe963fde787f63f9e016fdc3384500c2823d"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2818370,"digest":"sha256:c926b61bad3b94ae7351bafd0c184c159ebf0643b085f7ef1d47ecdc7316833c"}]}`

// tdSecret stores a secret and returns its ARN.
func tdSecret(t *testing.T, env *webtest.Env, name, value string) string {
	t.Helper()
	var out struct {
		ARN string `json:"ARN"`
	}
	tdAWS(t, env, "secretsmanager.CreateSecret", map[string]any{"Name": name, "SecretString": value, "ClientRequestToken": webtest.Name("token-0000000000000000000000")}, &out)
	return out.ARN
}

// tdRegister registers a task definition through Berth's adapter.
func tdRegister(t *testing.T, env *webtest.Env, doc string) *cloud.TaskDefRevision {
	t.Helper()
	td, err := env.Backend.In("").RegisterTaskDef(t.Context(), []byte(doc))
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return td
}
