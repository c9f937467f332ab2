package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/berthhq/berth/internal/cloud"
	"github.com/berthhq/berth/internal/store"
	"github.com/berthhq/berth/web/webtest"
)

// tdValidForm is the write-up's example as the builder posts it.
func tdValidForm(family, execRole string) url.Values {
	return url.Values{
		"view":                             {"form"},
		"family":                           {family},
		"requiresCompatibilities":          {"FARGATE"},
		"runtimePlatform":                  {"LINUX/X86_64"},
		"networkMode":                      {"awsvpc"},
		"cpu":                              {"256"},
		"memory":                           {"512"},
		"executionRoleArn":                 {execRole},
		"containerDefinitions.0.name":      {"scc"},
		"containerDefinitions.0.image":     {"nginx:latest"},
		"containerDefinitions.0.essential": {"true"},
		"containerDefinitions.0.portMappings.0.containerPort": {"80"},
		"containerDefinitions.0.portMappings.0.protocol":      {"tcp"},
		"containerDefinitions.0.logDriver":                    {"awslogs"},
		"containerDefinitions.0.logOptions.0.key":             {"awslogs-create-group"},
		"containerDefinitions.0.logOptions.0.value":           {"true"},
		"action": {"register"},
	}
}

func TestTaskDefBuilderValidatesKeepsInputAndRegisters(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("scc")

	page := env.Get(t, "/task-definitions/new")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Create new task definition") {
		t.Fatalf("builder: %d", page.StatusCode)
	}
	// Console defaults: Fargate, awsvpc, a Fargate size, one container.
	v := builderValues(t, page.Body)
	if v.Get("requiresCompatibilities") != "FARGATE" || v.Get("networkMode") != "awsvpc" || v.Get("cpu") != "1024" || v.Get("memory") != "3072" || v.Get("containerDefinitions.0.essential") != "true" {
		t.Errorf("defaults: %v", v)
	}

	// Broken: a bad family, a soft limit over the hard one, a host port that
	// awsvpc refuses, and awslogs on Fargate without an execution role.
	bad := tdValidForm("scc bad", "")
	bad.Set("containerDefinitions.0.memory", "128")
	bad.Set("containerDefinitions.0.memoryReservation", "256")
	bad.Set("containerDefinitions.0.portMappings.0.hostPort", "8080")
	bad.Set("containerDefinitions.0.cpu", "lots")
	resp := env.PostForm(t, "/task-definitions/new", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	for field, msg := range map[string]string{
		"f-family": "Use only letters, digits, hyphens (-) and underscores (_).",
		"f-containerDefinitions-0-memoryReservation":       "The memory reservation (soft limit) cannot be more than the memory limit (hard limit).",
		"f-containerDefinitions-0-portMappings-0-hostPort": "With the awsvpc network mode, leave the host port empty or make it equal to the container port.",
		"f-executionRoleArn":                               "Fargate tasks that send logs to CloudWatch need a task execution role.",
		"f-containerDefinitions-0-cpu":                     "Enter a whole number.",
	} {
		if !strings.Contains(resp.Body, `id="`+field+`-error"`) || !strings.Contains(resp.Body, `aria-describedby="`) {
			t.Errorf("no error at %s", field)
		}
		if !strings.Contains(resp.Body, escHTML(msg)) {
			t.Errorf("message %q missing", msg)
		}
		if !strings.Contains(resp.Body, `href="#`+field+`"`) {
			t.Errorf("summary does not link to %s", field)
		}
	}
	// Everything typed is still there.
	kept := builderValues(t, resp.Body)
	for k, want := range map[string]string{"family": "scc bad", "containerDefinitions.0.cpu": "lots", "containerDefinitions.0.portMappings.0.hostPort": "8080", "containerDefinitions.0.memoryReservation": "256"} {
		if got := kept.Get(k); got != want {
			t.Errorf("%s = %q after a failed register, want %q", k, got, want)
		}
	}
	// The failed attempt is a draft.
	draftID := kept.Get("draft")
	if draftID == "" {
		t.Fatal("no draft id in the form")
	}
	if d, err := env.Store.TaskDefDraft(context.Background(), env.Admin.Username, draftID); err != nil || d.Family != "scc bad" {
		t.Errorf("draft %+v %v", d, err)
	}

	good := tdValidForm(family, "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
	good.Set("draft", draftID)
	resp = env.PostForm(t, "/task-definitions/new", good)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/task-definitions/"+family+"/1" {
		t.Fatalf("register: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	rev := env.Follow(t, resp)
	if !strings.Contains(rev.Body, "Registered "+family+":1.") || !strings.Contains(rev.Body, "Created the log group /ecs/"+family) {
		t.Errorf("flash missing:\n%s", rev.Body)
	}
	if _, err := env.Store.TaskDefDraft(context.Background(), env.Admin.Username, draftID); err == nil {
		t.Error("the registered draft was kept")
	}
	td, err := env.Backend.In("").DescribeTaskDef(context.Background(), family+":1")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ContainerDefinitions []struct {
			LogConfiguration struct {
				Options map[string]string `json:"options"`
			} `json:"logConfiguration"`
		} `json:"containerDefinitions"`
	}
	json.Unmarshal(td.Doc, &doc)
	if o := doc.ContainerDefinitions[0].LogConfiguration.Options; o["awslogs-group"] != "/ecs/"+family || o["awslogs-region"] != "us-east-1" || o["awslogs-stream-prefix"] != "ecs" {
		t.Errorf("awslogs defaults not filled: %v", o)
	}
}

// TestTaskDefBuilderShowsMemberAndReferenceProblems: what ECS requires of
// dependencies, ulimits, mount points, volumes, restart policies, GPUs,
// the proxy and secrets is shown at the input that holds it, with
// everything typed kept.
func TestTaskDefBuilderShowsMemberAndReferenceProblems(t *testing.T) {
	env := webtest.New(t)
	bad := tdValidForm(webtest.Name("members"), "")
	for k, v := range map[string]string{
		"containerDefinitions.0.env.0.name":                         "DB_PASSWORD",
		"containerDefinitions.0.env.0.type":                         "valueFrom",
		"containerDefinitions.0.env.0.value":                        "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf",
		"containerDefinitions.0.gpu":                                "1",
		"containerDefinitions.0.restartPolicy.enabled":              "enabled",
		"containerDefinitions.0.restartPolicy.restartAttemptPeriod": "30",
		"containerDefinitions.0.ulimits.0.name":                     "nofile",
		"containerDefinitions.0.ulimits.0.softLimit":                "",
		"containerDefinitions.0.ulimits.0.hardLimit":                "4096",
		"containerDefinitions.0.dependsOn.0.containerName":          "db",
		"containerDefinitions.0.dependsOn.0.condition":              "START",
		"containerDefinitions.0.mountPoints.0.sourceVolume":         "logs",
		"containerDefinitions.0.mountPoints.0.containerPath":        "/logs",
		"volumes.0.name":                   "data",
		"volumes.0.type":                   "efs",
		"volumes.0.fileSystemId":           "",
		"volumes.0.rootDirectory":          "/",
		"proxyConfiguration.enabled":       "true",
		"proxyConfiguration.containerName": "",
		// Values no option offers (a forged post, a typo in pasted JSON).
		"containerDefinitions.0.firelensConfiguration.type":   "fluentbits",
		"containerDefinitions.0.portMappings.0.containerPort": "8080",
		"containerDefinitions.0.portMappings.0.appProtocol":   "http1",
	} {
		bad.Set(k, v)
	}
	resp := env.PostForm(t, "/task-definitions/new", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d\n%s", resp.StatusCode, resp.Body)
	}
	for field, msg := range map[string]string{
		"f-executionRoleArn":                                          "Containers that take values from secrets need a task execution role",
		"f-containerDefinitions-0-gpu":                                "Fargate does not offer GPUs",
		"f-containerDefinitions-0-restartPolicy-restartAttemptPeriod": "Use a restart attempt period between 60 and 1800 seconds.",
		"f-containerDefinitions-0-ulimits-0-softLimit":                "Enter the soft limit as a whole number.",
		"f-containerDefinitions-0-dependsOn-0-containerName":          "There is no container named db in this task definition.",
		"f-containerDefinitions-0-mountPoints-0-sourceVolume":         "There is no volume named logs in this task definition",
		"f-volumes-0-fileSystemId":                                    "Enter the EFS file system ID",
		"f-proxyConfiguration-containerName":                          "Name the Envoy proxy container of this task.",
		"f-containerDefinitions-0-firelensConfiguration-type":         "Choose one of: fluentd, fluentbit.",
		"f-containerDefinitions-0-portMappings-0-appProtocol":         "Choose one of: http, http2, grpc.",
	} {
		got := fieldErrorByID(resp.Body, field)
		if got == "" {
			t.Errorf("no error at %s", field)
			continue
		}
		if !strings.Contains(got, msg) {
			t.Errorf("%s says %q, want %q", field, got, msg)
		}
		if !strings.Contains(resp.Body, `href="#`+field+`"`) {
			t.Errorf("summary does not link to %s", field)
		}
	}
	kept := builderValues(t, resp.Body)
	for k, want := range map[string]string{
		"containerDefinitions.0.gpu":                                "1",
		"containerDefinitions.0.restartPolicy.restartAttemptPeriod": "30",
		"containerDefinitions.0.ulimits.0.name":                     "nofile",
		"containerDefinitions.0.ulimits.0.softLimit":                "",
		"containerDefinitions.0.ulimits.0.hardLimit":                "4096",
		"containerDefinitions.0.dependsOn.0.containerName":          "db",
		"containerDefinitions.0.mountPoints.0.sourceVolume":         "logs",
		"containerDefinitions.0.env.0.value":                        "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf",
		"volumes.0.name":                                            "data",
		"volumes.0.type":                                            "efs",
		"volumes.0.rootDirectory":                                   "/",
		"containerDefinitions.0.firelensConfiguration.type":         "fluentbits",
		"containerDefinitions.0.portMappings.0.appProtocol":         "http1",
	} {
		if got := kept.Get(k); got != want {
			t.Errorf("%s = %q after a failed register, want %q", k, got, want)
		}
	}
	if !kept.Has("containerDefinitions.0.ulimits.0.softLimit") {
		t.Error("the ulimit row with a blank soft limit was dropped")
	}
}

func escHTML(s string) string {
	r := strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// TestTaskDefBuilderRoundTripThroughThePage opens the builder from a
// registered revision and submits the page as it is: the new revision is
// the same definition, fields the form does not show included.
func TestTaskDefBuilderRoundTripThroughThePage(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("rt")
	doc := `{"family":"` + family + `","networkMode":"bridge","requiresCompatibilities":["EC2"],"cpu":"512","memory":"1024",
"executionRoleArn":"arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
"containerDefinitions":[{"name":"web","image":"nginx:1.27","memory":256,"memoryReservation":128,"cpu":128,"essential":true,
"portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp","name":"web-80","appProtocol":"http"}],
"environment":[{"name":"MODE","value":"prod"}],"secrets":[{"name":"DB","valueFrom":"arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCdEf"}],
"command":["nginx","-g","daemon off;"],"healthCheck":{"command":["CMD-SHELL","curl -f http://localhost/ || exit 1"],"interval":10,"retries":2},
"ulimits":[{"name":"nofile","softLimit":1024,"hardLimit":2048}],"dockerLabels":{"team":"web"},"linuxParameters":{"initProcessEnabled":true},
"mountPoints":[{"sourceVolume":"data","containerPath":"/data","readOnly":true}]},
{"name":"sidecar","image":"busybox","memory":64,"essential":false,"dependsOn":[{"containerName":"web","condition":"START"}]}],
"volumes":[{"name":"data","host":{"sourcePath":"/srv/data"}}],"placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.os-type == linux"}],
"tags":[{"key":"team","value":"web"}]}`
	tdRegister(t, env, doc)

	page := env.Get(t, "/task-definitions/new?from="+family+":1")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Create new revision of "+family) {
		t.Fatalf("revise: %d\n%s", page.StatusCode, page.Body)
	}
	if !strings.Contains(page.Body, "Kept from JSON") || !strings.Contains(page.Body, "linuxParameters") || !strings.Contains(page.Body, "placementConstraints") {
		t.Error("keys the form does not show are not announced")
	}
	v := builderValues(t, page.Body)
	v.Set("action", "register")
	resp := env.PostForm(t, "/task-definitions/new", v)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/task-definitions/"+family+"/2" {
		t.Fatalf("register again: %d\n%s", resp.StatusCode, resp.Body)
	}
	diff := env.Get(t, "/task-definitions/"+family+"/diff?rev=1&rev=2")
	if diff.StatusCode != http.StatusOK || !strings.Contains(diff.Body, "No differences.") {
		t.Errorf("revision 2 differs from 1:\n%s", diff.Body)
	}
}

func TestTaskDefBuilderRowsWithoutJavaScript(t *testing.T) {
	env := webtest.New(t)
	v := tdValidForm("rows", "")
	v.Set("action", "add:containerDefinitions")
	resp := env.PostForm(t, "/task-definitions/new", v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("add container: %d", resp.StatusCode)
	}
	got := builderValues(t, resp.Body)
	if got.Get("containerDefinitions.0.name") != "scc" || got.Get("containerDefinitions.0.portMappings.0.containerPort") != "80" || !got.Has("containerDefinitions.1.name") {
		t.Fatalf("after add: %v", got)
	}
	got.Set("containerDefinitions.1.name", "second")
	got.Set("action", "add:containerDefinitions.1.env")
	resp = env.PostForm(t, "/task-definitions/new", got)
	got = builderValues(t, resp.Body)
	if !got.Has("containerDefinitions.1.env.0.name") || got.Get("containerDefinitions.1.name") != "second" {
		t.Fatalf("after add env: %v", got)
	}
	got.Set("action", "remove:containerDefinitions.0")
	resp = env.PostForm(t, "/task-definitions/new", got)
	got = builderValues(t, resp.Body)
	if got.Get("containerDefinitions.0.name") != "second" || got.Has("containerDefinitions.1.name") {
		t.Errorf("after remove: %v", got)
	}
	if r := env.PostForm(t, "/task-definitions/new", url.Values{"action": {"remove:containerDefinitions.7"}}); r.StatusCode != http.StatusBadRequest {
		t.Errorf("removing a missing row: %d", r.StatusCode)
	}
}

// Add container stops at ECS's limit with the reason at the containers,
// keeping the ten there are.
func TestTaskDefBuilderAddContainerStopsAtTheLimit(t *testing.T) {
	env := webtest.New(t)
	v := tdValidForm("many", "")
	for i := 1; i < 10; i++ {
		p := "containerDefinitions." + strconv.Itoa(i) + "."
		v.Set(p+"name", "c"+strconv.Itoa(i))
		v.Set(p+"image", "nginx:latest")
		v.Set(p+"essential", "false")
	}
	v.Set("action", "add:containerDefinitions")
	resp := env.PostForm(t, "/task-definitions/new", v)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("add an 11th container: %d", resp.StatusCode)
	}
	if got := fieldError(resp.Body, "containerDefinitions"); !strings.Contains(got, "at most 10 containers. Remove one before adding another.") {
		t.Errorf("containers' error = %q", got)
	}
	got := builderValues(t, resp.Body)
	if got.Get("containerDefinitions.9.name") != "c9" || got.Has("containerDefinitions.10.name") {
		t.Errorf("containers after refusing: %v", got)
	}
}

func TestTaskDefBuilderJSONTab(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("json")
	v := tdValidForm(family, "")
	v.Set("action", "view-json")
	resp := env.PostForm(t, "/task-definitions/new", v)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("JSON tab: %d", resp.StatusCode)
	}
	j := builderValues(t, resp.Body)
	if !strings.Contains(j.Get("json"), `"family": "`+family+`"`) || j.Get("view") != "json" {
		t.Fatalf("JSON tab: %v", j)
	}

	// Paste DescribeTaskDefinition output with a key the form does not know.
	pasted := `{"taskDefinition":{"taskDefinitionArn":"arn:aws:ecs:us-east-1:000000000000:task-definition/x:1","revision":1,"status":"ACTIVE",
"family":"` + family + `","futureTaskKey":true,"networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024","compatibilities":["EC2","FARGATE"],
"containerDefinitions":[{"name":"app","image":"nginx","essential":true,"portMappings":[{"containerPort":8080}],"futureKey":{"a":1}}]},"tags":[]}`
	j.Set("json", pasted)
	j.Set("action", "view-form")
	resp = env.PostForm(t, "/task-definitions/new", j)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Body, "Removed the read-only keys") || !strings.Contains(resp.Body, "futureKey") {
		t.Fatalf("paste: %d\n%s", resp.StatusCode, resp.Body)
	}
	mustContain(t, resp.Body, "<strong>Kept from JSON:</strong> futureTaskKey. The form cannot show these as they are, so",
		"<strong>Kept from JSON:</strong> futureKey. The form cannot show these in this container as they are, so")
	f := builderValues(t, resp.Body)
	if f.Get("cpu") != "512" || f.Get("containerDefinitions.0.portMappings.0.containerPort") != "8080" || f.Get("view") != "form" {
		t.Errorf("form from JSON: %v", f)
	}
	// Back to JSON: the unknown key is still there.
	f.Set("action", "view-json")
	resp = env.PostForm(t, "/task-definitions/new", f)
	if j := builderValues(t, resp.Body).Get("json"); !strings.Contains(j, `"futureKey"`) || strings.Contains(j, "taskDefinitionArn") {
		t.Errorf("JSON after the form:\n%s", j)
	}

	// Invalid JSON: 422, the text kept, the problem at the field.
	broken := `{"family": "x", "containerDefinitions": [`
	resp = env.PostForm(t, "/task-definitions/new", url.Values{"view": {"json"}, "json": {broken}, "action": {"view-form"}, "draft": {f.Get("draft")}})
	if resp.StatusCode != http.StatusUnprocessableEntity || builderValues(t, resp.Body).Get("json") != broken || !strings.Contains(resp.Body, `id="f-json-error"`) {
		t.Errorf("broken JSON: %d\n%s", resp.StatusCode, resp.Body)
	}
	// The draft kept the broken text too: resuming shows it.
	resume := env.Get(t, "/task-definitions/new?draft="+f.Get("draft"))
	if builderValues(t, resume.Body).Get("json") != broken {
		t.Errorf("resumed draft lost the JSON text")
	}
}

func TestTaskDefPages(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("pages")
	repo := webtest.Name("img")
	uri := tdECRImage(t, env, repo, "v1")
	secretARN := tdSecret(t, env, webtest.Name("db"), `{"password":"x"}`)
	doc := func(port int) string {
		return fmt.Sprintf(`{"family":"%s","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"256","memory":"512",
"executionRoleArn":"arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
"containerDefinitions":[{"name":"app","image":"%s:v1","portMappings":[{"containerPort":%d}],"secrets":[{"name":"DB","valueFrom":"%s:password::"}]},
{"name":"gone","image":"%s:v9","essential":false}],"tags":[{"key":"team","value":"a"}]}`, family, uri, port, secretARN, uri)
	}
	tdRegister(t, env, doc(80))
	tdRegister(t, env, doc(8080))

	list := env.Get(t, "/task-definitions?prefix="+family)
	if !strings.Contains(list.Body, `href="/task-definitions/`+family+`"`) {
		t.Errorf("families list:\n%s", list.Body)
	}
	latest := env.Get(t, "/task-definitions/"+family+"/latest")
	if latest.Header.Get("Location") != "/task-definitions/"+family+"/2" {
		t.Errorf("latest: %d %s", latest.StatusCode, latest.Header.Get("Location"))
	}
	fam := env.Get(t, "/task-definitions/"+family)
	if i2, i1 := strings.Index(fam.Body, family+":2"), strings.Index(fam.Body, family+":1"); i2 < 0 || i1 < 0 || i2 > i1 {
		t.Errorf("revisions not newest first:\n%s", fam.Body)
	}
	if !strings.Contains(fam.Body, "arn:aws:iam::000000000000:root") {
		t.Error("registered by missing")
	}

	rev := env.Get(t, "/task-definitions/"+family+"/1")
	for _, want := range []string{
		`href="/repositories/` + repo + `"`, "no image with this tag", // app uses v1 (exists), gone uses v9
		`href="/secrets/`, "256 CPU units (0.25 vCPU)", "awsvpc", "FARGATE",
	} {
		if !strings.Contains(rev.Body, want) {
			t.Errorf("revision page lacks %q", want)
		}
	}
	if strings.Count(rev.Body, "no image with this tag") != 1 {
		t.Error("the existing image is flagged too")
	}
	js := env.Get(t, "/task-definitions/"+family+"/1?tab=json")
	if !strings.Contains(js.Body, "&#34;tags&#34;") || strings.Contains(js.Body, "registeredAt") {
		t.Errorf("JSON tab not registerable")
	}
	dl := env.Get(t, "/task-definitions/"+family+"/1/download")
	if !strings.Contains(dl.Header.Get("Content-Disposition"), family+"-1.json") {
		t.Errorf("download headers %v", dl.Header)
	}
	var back map[string]any
	if err := json.Unmarshal([]byte(dl.Body), &back); err != nil || back["revision"] != nil || back["family"] != family {
		t.Errorf("download body %v %v", back, err)
	}

	diff := env.Get(t, "/task-definitions/"+family+"/diff?rev=2&rev=1")
	if !strings.Contains(diff.Body, "portMappings[0].containerPort") || !strings.Contains(diff.Body, "8080") || !strings.Contains(diff.Body, "Container app") {
		t.Errorf("diff:\n%s", diff.Body)
	}

	// Deregister asks first, then deregisters; delete works on INACTIVE only.
	ask := env.PostForm(t, "/task-definitions/"+family+"/1/deregister", url.Values{})
	if ask.StatusCode != http.StatusOK || !strings.Contains(ask.Body, "cannot be undone") {
		t.Fatalf("deregister confirmation: %d", ask.StatusCode)
	}
	done := env.PostForm(t, "/task-definitions/"+family+"/1/deregister", url.Values{"confirm": {"yes"}})
	if done.StatusCode != http.StatusSeeOther {
		t.Fatalf("deregister: %d", done.StatusCode)
	}
	if page := env.Follow(t, done); !strings.Contains(page.Body, "INACTIVE") || !strings.Contains(page.Body, `id="delete"`) {
		t.Errorf("after deregister:\n%s", page.Body)
	}
	del := env.PostForm(t, "/task-definitions/"+family+"/delete", url.Values{"rev": {"1", "2"}, "confirm": {"yes"}})
	after := env.Follow(t, del)
	if !strings.Contains(after.Body, family+":2 was not deleted") || !strings.Contains(after.Body, "Deleting 1 revision") {
		t.Errorf("delete 1 (INACTIVE) and 2 (ACTIVE):\n%s", after.Body)
	}
	if td, _ := env.Backend.In("").DescribeTaskDef(context.Background(), family+":1"); td == nil || td.Status != "DELETE_IN_PROGRESS" {
		t.Errorf("revision 1 after delete: %+v", td)
	}
	many := url.Values{"confirm": {"yes"}}
	for i := 1; i <= 11; i++ {
		many.Add("rev", fmt.Sprint(i))
	}
	if r := env.Follow(t, env.PostForm(t, "/task-definitions/"+family+"/delete", many)); !strings.Contains(r.Body, "at most 10") {
		t.Error("more than 10 at once not refused")
	}
	if r := env.Get(t, "/task-definitions/"+family+"/99"); r.StatusCode != http.StatusNotFound {
		t.Errorf("missing revision: %d", r.StatusCode)
	}
}

func TestTaskDefPickers(t *testing.T) {
	env := webtest.New(t)
	repo := webtest.Name("pick")
	uri := tdECRImage(t, env, repo, "v2")
	regSecret := tdSecret(t, env, webtest.Name("registry"), `{"username":"AWS","password":"p"}`)
	plain := tdSecret(t, env, webtest.Name("plain"), "just text")
	tagged := newSecret(t, env, webtest.Name("tagged"), `{"username":"u","password":"p"}`,
		cloud.SecretTag{Key: cloud.RegistryCredentialsTagKey, Value: cloud.RegistryCredentialsTagValue})

	page := env.Get(t, "/task-definitions/new")
	if !strings.Contains(page.Body, uri) || !strings.Contains(page.Body, regSecret) {
		t.Fatal("pickers do not offer the repository and the secret")
	}
	// The credentials picker offers the tagged secret first, the others after
	// it; the environment picker offers them all alike.
	creds := tdBetween(t, page.Body, `<select id="f-containerDefinitions-0-pick-credentials"`, "</select>")
	reg, others, ok := strings.Cut(creds, `<optgroup label="Other secrets (checked when picked)">`)
	if !ok || !strings.Contains(reg, `<optgroup label="Private registry credentials">`) || !strings.Contains(reg, tagged.ARN) ||
		strings.Contains(reg, regSecret) || !strings.Contains(others, regSecret) || !strings.Contains(others, plain) || strings.Contains(others, tagged.ARN) {
		t.Errorf("credentials picker:\n%s", creds)
	}
	mustContain(t, page.Body, "berth:secret-type=registry-credentials", "Berth checks that the one you pick holds a username and password")
	if env := tdBetween(t, page.Body, `<select id="f-containerDefinitions-0-pick-env"`, "</select>"); strings.Contains(env, "optgroup") || !strings.Contains(env, tagged.ARN) || !strings.Contains(env, plain) {
		t.Errorf("environment picker:\n%s", env)
	}
	v := builderValues(t, page.Body)
	v.Set("containerDefinitions.0.pick.repository", uri)
	v.Set("action", "pick-image:0")
	resp := env.PostForm(t, "/task-definitions/new", v)
	got := builderValues(t, resp.Body)
	if got.Get("containerDefinitions.0.image") != uri+":v2" {
		t.Fatalf("picked image %q", got.Get("containerDefinitions.0.image"))
	}
	if !strings.Contains(resp.Body, `name="containerDefinitions.0.pick.tag"`) {
		t.Error("no tag choice once the repository is known")
	}

	got.Set("containerDefinitions.0.pick.credentials", plain)
	got.Set("action", "pick-credentials:0")
	resp = env.PostForm(t, "/task-definitions/new", got)
	got = builderValues(t, resp.Body)
	if got.Get("containerDefinitions.0.privateRegistry") != "true" || got.Get("containerDefinitions.0.repositoryCredentials.credentialsParameter") != plain {
		t.Errorf("credentials: %v", got)
	}
	if !strings.Contains(resp.Body, "does not hold a JSON username and password") {
		t.Error("no warning for a secret without username and password")
	}
	if strings.Contains(resp.Body, "just text") {
		t.Fatal("a secret value reached the page")
	}

	got.Set("containerDefinitions.0.pick.env", regSecret)
	got.Set("containerDefinitions.0.pick.envKey", "password")
	got.Set("action", "pick-env-secret:0")
	resp = env.PostForm(t, "/task-definitions/new", got)
	got = builderValues(t, resp.Body)
	if got.Get("containerDefinitions.0.env.0.type") != "valueFrom" || got.Get("containerDefinitions.0.env.0.value") != regSecret+":password::" || got.Get("containerDefinitions.0.env.0.name") != "PASSWORD" {
		t.Errorf("env secret: %v", got)
	}
	// Drafts keep references, never values.
	d, err := env.Store.TaskDefDraft(context.Background(), env.Admin.Username, got.Get("draft"))
	if err != nil || !strings.Contains(string(d.Form), regSecret) || strings.Contains(string(d.Form), `"p"`) {
		t.Errorf("draft %s %v", d.Form, err)
	}
}

// tdBetween returns the text from start to the next end.
func tdBetween(t *testing.T, body, start, end string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, start)
	if !ok {
		t.Fatalf("no %s in page", start)
	}
	in, _, _ := strings.Cut(rest, end)
	return in
}

func TestTaskDefDraftsPage(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("draft")
	v := tdValidForm(family, "")
	v.Set("action", "save")
	resp := env.PostForm(t, "/task-definitions/new", v)
	id := builderValues(t, resp.Body).Get("draft")
	list := env.Get(t, "/task-definitions/drafts")
	if !strings.Contains(list.Body, family) || !strings.Contains(list.Body, "/task-definitions/new?draft="+id) {
		t.Fatalf("drafts:\n%s", list.Body)
	}
	resume := builderValues(t, env.Get(t, "/task-definitions/new?draft="+id).Body)
	if resume.Get("family") != family || resume.Get("containerDefinitions.0.portMappings.0.containerPort") != "80" || resume.Get("draft") != id {
		t.Errorf("resumed: %v", resume)
	}
	// Nothing registered yet: the page says so instead of "not found".
	none := env.Get(t, "/task-definitions/drafts/"+id+"/diff")
	if none.StatusCode != http.StatusOK {
		t.Errorf("draft diff before any revision: %d\n%s", none.StatusCode, none.Body)
	}
	mustContain(t, none.Body, `id="no-latest"`, "There is no registered revision to compare with: "+family, `href="/task-definitions/new?draft=`+id+`"`)
	tdRegister(t, env, `{"family":"`+family+`","containerDefinitions":[{"name":"scc","image":"nginx:1","memory":64}]}`)
	diff := env.Get(t, "/task-definitions/drafts/"+id+"/diff")
	if diff.StatusCode != http.StatusOK || !strings.Contains(diff.Body, "Container scc") || !strings.Contains(diff.Body, "nginx:latest") {
		t.Errorf("draft diff: %d\n%s", diff.StatusCode, diff.Body)
	}
	del := env.PostForm(t, "/task-definitions/drafts/"+id+"/discard", url.Values{})
	if del.StatusCode != http.StatusSeeOther || strings.Contains(env.Follow(t, del).Body, family) {
		t.Error("discard")
	}
	if r := env.Get(t, "/task-definitions/new?draft="+id); r.StatusCode != http.StatusNotFound {
		t.Errorf("discarded draft: %d", r.StatusCode)
	}
}

// TestTaskDefDraftDiffWithoutAFamily: a draft keeps the family as typed —
// none yet, or a name ECS refuses. Nothing can be registered under it, so
// the comparison says so instead of passing the name to AWS (whose refusal
// was a 502).
func TestTaskDefDraftDiffWithoutAFamily(t *testing.T) {
	env := webtest.New(t)
	for family, want := range map[string]string{
		"":                       "this draft has no task definition family yet",
		" ":                      "this draft has no task definition family yet",
		"not a family!":          "not a family! has no active revision",
		strings.Repeat("f", 300): strings.Repeat("f", 300) + " has no active revision",
	} {
		v := tdValidForm(family, "")
		v.Set("action", "save")
		id := builderValues(t, env.PostForm(t, "/task-definitions/new", v).Body).Get("draft")
		r := env.Get(t, "/task-definitions/drafts/"+id+"/diff")
		if r.StatusCode != http.StatusOK {
			t.Errorf("family %q: %d\n%s", family, r.StatusCode, r.Body)
			continue
		}
		mustContain(t, r.Body, `id="no-latest"`, want)
	}
}

func TestTaskDefCreateExecutionRole(t *testing.T) {
	env := webtest.New(t)
	v := tdValidForm("role", "")
	v.Set("action", "create-role")
	resp := env.PostForm(t, "/task-definitions/new", v)
	if !strings.Contains(resp.Body, `id="create-role-confirm"`) && !strings.Contains(resp.Body, "ecsTaskExecutionRole") {
		t.Fatalf("no confirmation:\n%s", resp.Body)
	}
	got := builderValues(t, resp.Body)
	got.Set("action", "confirm-create-role")
	resp = env.PostForm(t, "/task-definitions/new", got)
	got = builderValues(t, resp.Body)
	if !strings.HasSuffix(got.Get("executionRoleArn"), ":role/ecsTaskExecutionRole") {
		t.Errorf("execution role %q\n%s", got.Get("executionRoleArn"), resp.Body)
	}
	if strings.Contains(resp.Body, `id="create-role"`) {
		t.Error("still offers to create the role")
	}
}

// TestTaskDefDraftSurvivesRestart: a draft saved by one Berth process is
// there for the next one on the same data dir.
func TestTaskDefDraftSurvivesRestart(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("restart")
	v := tdValidForm(family, "")
	v.Set("action", "save")
	id := builderValues(t, env.PostForm(t, "/task-definitions/new", v).Body).Get("draft")
	if err := env.Store.Close(); err != nil {
		t.Fatal(err)
	}
	// A new Berth process on the same data dir; the same person signs in.
	st, err := store.OpenSQLite(context.Background(), env.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	next := webtest.NewWith(t, webtest.Options{Store: st, NoSignIn: true})
	next.SignInAs(t, env.Admin)
	r := next.Get(t, "/task-definitions/new?draft="+id)
	if got := builderValues(t, r.Body); got.Get("family") != family || got.Get("draft") != id {
		t.Errorf("after restart: %d %v", r.StatusCode, got)
	}
}

// A role member that is neither a role's name nor its ARN is refused at its
// field, as ECS refuses it ("Role is not valid"), with the text kept.
func TestTaskDefBuilderRefusesMalformedRoles(t *testing.T) {
	env := webtest.New(t)
	v := tdValidForm(webtest.Name("roles"), "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
	v.Set("taskRoleArn", "arn:aws:s3:::not-a-role")
	r := env.PostForm(t, "/task-definitions/new", v)
	if r.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.StatusCode)
	}
	if !strings.Contains(fieldError(r.Body, "taskRoleArn"), "Enter an IAM role's ARN") {
		t.Errorf("no message at the task role field")
	}
	if !strings.Contains(r.Body, "arn:aws:s3:::not-a-role") {
		t.Error("the typed role is lost")
	}
}

// TestTaskDefSecretFilter: the secret pickers show one page of ListSecrets;
// a name prefix reaches the others, stays while the person goes on editing,
// and is refused at its field when ListSecrets could not take it.
func TestTaskDefSecretFilter(t *testing.T) {
	env := webtest.New(t)
	prefix := webtest.Name("flt")
	db := tdSecret(t, env, prefix+"/db", "x")
	api := tdSecret(t, env, prefix+"/api", "x")
	other := tdSecret(t, env, webtest.Name("other"), "x")

	v := builderValues(t, env.Get(t, "/task-definitions/new").Body)
	v.Set("containerDefinitions.0.pick.secretFilter", prefix+"/d")
	v.Set("action", "filter-secrets:0")
	resp := env.PostForm(t, "/task-definitions/new", v)
	picker := tdBetween(t, resp.Body, `<select id="f-containerDefinitions-0-pick-env"`, "</select>")
	if !strings.Contains(picker, db) || strings.Contains(picker, api) || strings.Contains(picker, other) {
		t.Errorf("filtered picker:\n%s", picker)
	}
	got := builderValues(t, resp.Body)
	if got.Get("secretFilter") != prefix+"/d" || got.Get("containerDefinitions.0.pick.secretFilter") != prefix+"/d" {
		t.Fatalf("filter not kept: %q %q", got.Get("secretFilter"), got.Get("containerDefinitions.0.pick.secretFilter"))
	}
	got.Set("action", "add:containerDefinitions")
	resp = env.PostForm(t, "/task-definitions/new", got)
	if picker := tdBetween(t, resp.Body, `<select id="f-containerDefinitions-1-pick-env"`, "</select>"); !strings.Contains(picker, db) || strings.Contains(picker, api) {
		t.Errorf("the filter did not stay:\n%s", picker)
	}

	got = builderValues(t, resp.Body)
	got.Set("containerDefinitions.1.pick.secretFilter", prefix+"/zz")
	got.Set("action", "filter-secrets:1")
	resp = env.PostForm(t, "/task-definitions/new", got)
	mustContain(t, resp.Body, "No secret's name starts with "+prefix+"/zz.")

	got = builderValues(t, resp.Body)
	got.Set("containerDefinitions.0.pick.secretFilter", "!"+prefix)
	got.Set("action", "filter-secrets:0")
	resp = env.PostForm(t, "/task-definitions/new", got)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused filter: %d", resp.StatusCode)
	}
	if got := fieldError(resp.Body, "containerDefinitions.0.pick.secretFilter"); !strings.Contains(got, "Filters can use only letters") {
		t.Errorf("filter's error = %q", got)
	}
	if got := builderValues(t, resp.Body); got.Get("containerDefinitions.0.pick.secretFilter") != "!"+prefix {
		t.Errorf("refused filter not shown back: %q", got.Get("containerDefinitions.0.pick.secretFilter"))
	}
}
