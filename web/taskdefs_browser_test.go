package web_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web/webtest"
)

// TestBrowserTaskDefinitionWriteUp builds the write-up's task definition in
// Chromium as a person would — family scc-…, Fargate, awsvpc, 0.25 vCPU /
// 0.5 GB, one container scc with its image picked from ECR, port 80,
// private registry authentication from a stored secret, awslogs — hits and
// fixes a validation error, registers, opens the revision, creates revision
// 2 with another port, compares the two, and checks revision 2 with the AWS
// CLI.
func TestBrowserTaskDefinitionWriteUp(t *testing.T) {
	env := webtest.New(t)
	family := webtest.Name("scc")
	repo := webtest.Name("scc-img")
	uri := tdECRImage(t, env, repo, "latest")
	secretName := webtest.Name("production-RegistryCredentials")
	secretARN := tdSecret(t, env, secretName, `{"username":"AWS","password":"from-ecr-get-login-password"}`)

	b := webtest.NewBrowser(t)
	env.SignInBrowser(t, b, env.Admin)
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	// submit presses a button that loads a new page and waits for that page.
	submit := func(sel string) {
		t.Helper()
		webtest.Run(t, b, chromedp.Evaluate[bool](`window.__tdOld = true`))
		webtest.Run(t, b, chromedp.Click(css(sel)))
		// The old page's context goes away mid-navigation: retry until the
		// new page answers.
		deadline := time.Now().Add(15 * time.Second)
		for {
			ok, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](`!window.__tdOld && document.readyState === "complete"`))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no new page after pressing %s (%v)", sel, err)
			}
			time.Sleep(30 * time.Millisecond)
		}
	}
	// choose picks an option the way a change of the select does.
	choose := func(sel, value string) {
		t.Helper()
		js := `(function(){var el=document.querySelector(` + jsString(sel) + `); el.value=` + jsString(value) +
			`; el.dispatchEvent(new Event("change",{bubbles:true})); return el.value;})()`
		if got := webtest.Run(t, b, chromedp.Evaluate[string](js)); got != value {
			t.Fatalf("%s: could not choose %q (got %q)", sel, value, got)
		}
	}
	value := func(sel string) string { t.Helper(); return webtest.Run(t, b, chromedp.Value(css(sel))) }
	mainText := func() string { t.Helper(); return webtest.Run(t, b, chromedp.Text(css("main"))) }

	webtest.Run(t, b, chromedp.Navigate(env.URL+"/task-definitions"))
	submit(`a.button.primary[href="/task-definitions/new"]`)
	if h := webtest.Run(t, b, chromedp.Text(css("h1"))); h != "Create new task definition" {
		t.Fatalf("h1 %q", h)
	}
	// Console defaults.
	if value("#lt-0") != "FARGATE" || value("#f-networkMode") != "awsvpc" {
		t.Fatal("Fargate/awsvpc are not the defaults")
	}
	webtest.Run(t, b, chromedp.SendKeys(css("#f-family"), family))
	// 0.25 vCPU: the memory list follows (script), then 0.5 GB.
	choose("#f-cpu", "256")
	if n := webtest.Run(t, b, chromedp.Evaluate[int](`document.querySelectorAll("#f-memory option").length`)); n != 4 {
		t.Errorf("memory choices for 0.25 vCPU: %d options, want 3 and the prompt", n)
	}
	choose("#f-memory", "512")
	webtest.Run(t, b, chromedp.SendKeys(css("#f-containerDefinitions-0-name"), "scc"))
	webtest.Run(t, b, chromedp.SendKeys(css("#f-containerDefinitions-0-portMappings-0-containerPort"), "80"))

	// The script saves a draft shortly after typing stops, without a submit.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.HasPrefix(webtest.Run(t, b, chromedp.Text(css("#draft-status"))), "Draft saved ") {
		if time.Now().After(deadline) {
			t.Fatal("no autosave")
		}
		time.Sleep(100 * time.Millisecond)
	}
	draftID := webtest.Run(t, b, chromedp.Evaluate[string](`document.querySelector("form.builder input[name=draft]").value`))
	if d, err := env.Store.TaskDefDraft(t.Context(), env.Admin.Username, draftID); err != nil || d.Family != family {
		t.Fatalf("autosaved draft %q: %+v %v", draftID, d, err)
	}

	// Image from the ECR picker.
	choose("#f-containerDefinitions-0-pick-repository", uri)
	submit("#pick-image-0")
	if got := value("#f-containerDefinitions-0-image"); got != uri+":latest" {
		t.Fatalf("picked image %q", got)
	}
	// Everything typed survived the picker's round trip.
	if value("#f-family") != family || value("#f-cpu") != "256" || value("#f-memory") != "512" || value("#f-containerDefinitions-0-portMappings-0-containerPort") != "80" {
		t.Fatal("input lost after picking the image")
	}

	// Private registry authentication from the stored secret.
	webtest.Run(t, b, chromedp.Click(css("#f-containerDefinitions-0-privateRegistry")))
	choose("#f-containerDefinitions-0-pick-credentials", secretARN)
	submit("#pick-credentials-0")
	if value("#f-containerDefinitions-0-repositoryCredentials-credentialsParameter") != secretARN {
		t.Fatal("credentials secret not set")
	}
	if strings.Contains(mainText(), "does not hold a JSON username and password") {
		t.Error("a username/password secret is flagged")
	}
	if value("#f-containerDefinitions-0-logDriver") != "awslogs" {
		t.Fatal("awslogs is not the default log driver")
	}

	// Create: awslogs on Fargate needs a task execution role — the error
	// shows at the field and in the summary.
	submit("#create")
	webtest.Run(t, b, chromedp.WaitVisible(css("#error-summary")))
	if msg := webtest.Run(t, b, chromedp.Text(css("#f-executionRoleArn-error"))); !strings.Contains(msg, "need a task execution role") {
		t.Fatalf("execution role error: %q", msg)
	}
	if value("#f-family") != family || value("#f-containerDefinitions-0-image") != uri+":latest" {
		t.Fatal("input lost after the validation error")
	}
	// Fix it: create ecsTaskExecutionRole (the account may have it already
	// from another test sharing the emulator; then pick it).
	if n := webtest.Run(t, b, chromedp.Evaluate[int](`document.querySelectorAll("#create-role").length`)); n == 1 {
		submit("#create-role")
		webtest.Run(t, b, chromedp.WaitVisible(css("#create-role-confirm")))
		submit("#confirm-create-role")
	} else {
		choose("#f-executionRoleArn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
	}
	if !strings.HasSuffix(value("#f-executionRoleArn"), ":role/ecsTaskExecutionRole") {
		t.Fatalf("execution role %q", value("#f-executionRoleArn"))
	}
	submit("#create")
	if loc := webtest.Run(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/task-definitions/"+family+"/1") {
		t.Fatalf("after Create: %s\n%s", loc, mainText())
	}
	if _, err := env.Store.TaskDefDraft(t.Context(), env.Admin.Username, draftID); err == nil {
		t.Error("the registered draft is still listed")
	}
	page := mainText()
	for _, want := range []string{"Registered " + family + ":1.", "ACTIVE", "scc", uri + ":latest", "80:80/tcp", "awslogs", "/ecs/" + family, secretARN} {
		if !strings.Contains(page, want) {
			t.Errorf("revision page lacks %q", want)
		}
	}

	// Revision 2 with another port.
	submit("#new-revision")
	if h := webtest.Run(t, b, chromedp.Text(css("h1"))); h != "Create new revision of "+family {
		t.Fatalf("h1 %q", h)
	}
	webtest.Run(t, b, chromedp.Evaluate[string](`document.querySelector("#f-containerDefinitions-0-portMappings-0-containerPort").value = ""`))
	webtest.Run(t, b, chromedp.SendKeys(css("#f-containerDefinitions-0-portMappings-0-containerPort"), "8080"))
	// ECS filled in revision 1's host port (awsvpc); the builder leaves it
	// out so the port changes in one field.
	if hp := value("#f-containerDefinitions-0-portMappings-0-hostPort"); hp != "" {
		t.Errorf("host port %q offered for awsvpc", hp)
	}
	submit("#create")
	if loc := webtest.Run(t, b, chromedp.Location()); !strings.HasSuffix(loc, "/task-definitions/"+family+"/2") {
		t.Fatalf("after Create: %s\n%s", loc, mainText())
	}
	if page := mainText(); !strings.Contains(page, "8080:8080/tcp") {
		t.Errorf("revision 2 page:\n%s", page)
	}

	// Compare 1 and 2 from the family page.
	webtest.Run(t, b, chromedp.Navigate(env.URL+"/task-definitions/"+family))
	webtest.Run(t, b, chromedp.Click(css("#rev-1")))
	webtest.Run(t, b, chromedp.Click(css("#rev-2")))
	submit("#compare")
	diff := mainText()
	if !strings.Contains(diff, "Compare "+family+":1 and "+family+":2") || !strings.Contains(diff, "portMappings[0].containerPort") ||
		!strings.Contains(diff, "8080") || !strings.Contains(diff, "Container scc") {
		t.Errorf("diff page:\n%s", diff)
	}

	// The AWS CLI sees revision 2 as the page showed it.
	var out struct {
		TaskDefinition struct {
			Revision                int      `json:"revision"`
			Status                  string   `json:"status"`
			CPU                     string   `json:"cpu"`
			Memory                  string   `json:"memory"`
			NetworkMode             string   `json:"networkMode"`
			RequiresCompatibilities []string `json:"requiresCompatibilities"`
			ExecutionRoleArn        string   `json:"executionRoleArn"`
			ContainerDefinitions    []struct {
				Name                  string `json:"name"`
				Image                 string `json:"image"`
				Essential             bool   `json:"essential"`
				RepositoryCredentials struct {
					CredentialsParameter string `json:"credentialsParameter"`
				} `json:"repositoryCredentials"`
				PortMappings []struct {
					ContainerPort int    `json:"containerPort"`
					HostPort      int    `json:"hostPort"`
					Protocol      string `json:"protocol"`
				} `json:"portMappings"`
				LogConfiguration struct {
					LogDriver string            `json:"logDriver"`
					Options   map[string]string `json:"options"`
				} `json:"logConfiguration"`
			} `json:"containerDefinitions"`
		} `json:"taskDefinition"`
	}
	res := clitest.New(t, env.EmulatorURL).MustRun(t, "ecs", "describe-task-definition", "--task-definition", family+":2")
	res.JSON(t, &out)
	td := out.TaskDefinition
	if td.Revision != 2 || td.Status != "ACTIVE" || td.CPU != "256" || td.Memory != "512" || td.NetworkMode != "awsvpc" ||
		strings.Join(td.RequiresCompatibilities, ",") != "FARGATE" || !strings.HasSuffix(td.ExecutionRoleArn, "role/ecsTaskExecutionRole") {
		t.Errorf("revision 2: %+v", td)
	}
	if len(td.ContainerDefinitions) != 1 {
		t.Fatalf("containers: %+v", td.ContainerDefinitions)
	}
	c := td.ContainerDefinitions[0]
	if c.Name != "scc" || c.Image != uri+":latest" || !c.Essential || c.RepositoryCredentials.CredentialsParameter != secretARN ||
		len(c.PortMappings) != 1 || c.PortMappings[0].ContainerPort != 8080 || c.PortMappings[0].Protocol != "tcp" ||
		c.LogConfiguration.LogDriver != "awslogs" || c.LogConfiguration.Options["awslogs-group"] != "/ecs/"+family {
		b, _ := json.MarshalIndent(c, "", "  ")
		t.Errorf("container of revision 2:\n%s", b)
	}
	// The validation answer is HTTP 422 by design; Chromium logs that
	// status as a failed load. Anything else is a problem.
	var problems []string
	for _, p := range b.Problems() {
		if !strings.Contains(p, "status of 422") {
			problems = append(problems, p)
		}
	}
	if len(problems) > 0 {
		t.Errorf("console problems:\n%s", strings.Join(problems, "\n"))
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
