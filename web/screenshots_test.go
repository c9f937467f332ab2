//go:build screenshots

package web_test

import (
	"net"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/berthhq/berth/internal/emulator"
	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/web/webtest"
)

// TestScreenshots refreshes the README's overview picture from a running
// Berth with a few resources: `make screenshots`. It is not part of `make
// test` (build tag screenshots) because it writes into docs/.
func TestScreenshots(t *testing.T) {
	env := webtest.NewWith(t, webtest.Options{Regions: []string{"us-east-1", "eu-west-1"}, Endpoint: emulatorOn4566(t)})
	cli := clitest.New(t, env.EmulatorURL)
	cli.Region = "eu-west-1"
	cli.MustRun(t, "ecr", "create-repository", "--repository-name", "scc")
	cli.MustRun(t, "ecr", "create-repository", "--repository-name", "payments/api")
	cli.MustRun(t, "secretsmanager", "create-secret", "--name", "production/RegistryCredentials",
		"--secret-string", `{"username":"AWS","password":"example"}`)
	cli.MustRun(t, "ecs", "register-task-definition", "--family", "scc", "--requires-compatibilities", "FARGATE",
		"--network-mode", "awsvpc", "--cpu", "256", "--memory", "512",
		"--execution-role-arn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
		"--container-definitions", `[{"name":"scc","image":"000000000000.dkr.ecr.eu-west-1.amazonaws.com/scc:latest","portMappings":[{"containerPort":80}]}]`)

	b := webtest.NewBrowser(t)
	env.SignInBrowser(t, b, env.Admin)
	webtest.Run(t, b, chromedp.Navigate(env.URL+"/"))
	webtest.Run(t, b, chromedp.Evaluate[bool](`(function(){var s=document.getElementById("region-select");s.value="eu-west-1";s.dispatchEvent(new Event("change",{bubbles:true}));return true})()`))
	webtest.Run(t, b, chromedp.WaitReady(chromedp.CSS(`#region-select option[value="eu-west-1"][selected]`)))
	png := webtest.Run(t, b, chromedp.FullScreenshot(100))
	if err := os.WriteFile("../docs/img/home.png", png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// emulatorOn4566 runs an emulator on 127.0.0.1:4566, the address the README
// describes, so that the picture's banner shows it; when that port is taken
// (make run), the test's usual emulator serves instead ("").
func emulatorOn4566(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:4566")
	if err != nil {
		return ""
	}
	emu, err := emulator.New(emulator.Options{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(emu)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() { srv.Close(); emu.Close() })
	return srv.URL
}
