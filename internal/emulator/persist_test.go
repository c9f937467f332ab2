package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

// resource is one kind of state that must survive a restart of
// `berth emulator`. To cover another service, add an entry to resources.
type resource struct {
	name string
	// create makes the instances tagged tag through the SDK and returns the
	// snapshot keys they appear under; every call has had its 200 when it returns.
	create func(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string
	// snapshot reads every instance of the kind, keyed by identity, with
	// everything a client can see of it.
	snapshot func(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any
}

var resources = []resource{
	{name: "iam role", create: createRole, snapshot: snapshotRoles},
	{name: "kms key and alias", create: createKeyAndAlias, snapshot: snapshotKMS},
	{name: "log group", create: createLogGroup, snapshot: snapshotLogGroups},
}

const ecsTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// must turns an SDK call's (value, error) into the value, failing the test
// on error: must(c.Op(ctx, in))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func createRole(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := iam.NewFromConfig(cfg)
	name := "persist-" + tag
	must(c.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(ecsTrust),
		Description: aws.String("restart test " + tag), MaxSessionDuration: aws.Int32(7200),
		Tags: []iamtypes.Tag{{Key: aws.String("tag"), Value: aws.String(tag)}},
	}))(t)
	must(c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
		RoleName: aws.String(name), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"),
	}))(t)
	return []string{"role:" + name}
}

func snapshotRoles(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := iam.NewFromConfig(cfg)
	out := map[string]any{}
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		for _, r := range must(p.NextPage(ctx))(t).Roles {
			full := must(c.GetRole(ctx, &iam.GetRoleInput{RoleName: r.RoleName}))(t).Role
			attached := must(c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName}))(t).AttachedPolicies
			out["role:"+aws.ToString(r.RoleName)] = []any{r, full, attached}
		}
	}
	return out
}

func createKeyAndAlias(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := kms.NewFromConfig(cfg)
	key := must(c.CreateKey(ctx, &kms.CreateKeyInput{
		Description: aws.String("restart test " + tag),
		Tags:        []kmstypes.Tag{{TagKey: aws.String("tag"), TagValue: aws.String(tag)}},
	}))(t).KeyMetadata
	alias := "alias/persist-" + tag
	must(c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String(alias), TargetKeyId: key.KeyId}))(t)
	keys := []string{"key:" + aws.ToString(key.KeyId), "alias:" + alias}
	if tag == "a" {
		// First use of an AWS managed key creates it; it must persist too.
		managed := must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/ecr")}))(t).KeyMetadata
		keys = append(keys, "key:"+aws.ToString(managed.KeyId))
	}
	return keys
}

func snapshotKMS(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := kms.NewFromConfig(cfg)
	out := map[string]any{}
	kp := kms.NewListKeysPaginator(c, &kms.ListKeysInput{Limit: aws.Int32(2)})
	for kp.HasMorePages() {
		for _, k := range must(kp.NextPage(ctx))(t).Keys {
			out["key:"+aws.ToString(k.KeyId)] = must(c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: k.KeyId}))(t).KeyMetadata
		}
	}
	ap := kms.NewListAliasesPaginator(c, &kms.ListAliasesInput{Limit: aws.Int32(3)})
	for ap.HasMorePages() {
		for _, a := range must(ap.NextPage(ctx))(t).Aliases {
			out["alias:"+aws.ToString(a.AliasName)] = a
		}
	}
	return out
}

func createLogGroup(ctx context.Context, t *testing.T, cfg aws.Config, tag string) []string {
	c := cloudwatchlogs.NewFromConfig(cfg)
	name := "/ecs/persist-" + tag
	must(c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{"tag": tag}}))(t)
	must(c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(14)}))(t)
	return []string{"group:" + name}
}

func snapshotLogGroups(ctx context.Context, t *testing.T, cfg aws.Config) map[string]any {
	c := cloudwatchlogs.NewFromConfig(cfg)
	out := map[string]any{}
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(2)})
	for p.HasMorePages() {
		for _, g := range must(p.NextPage(ctx))(t).LogGroups {
			out["group:"+aws.ToString(g.LogGroupName)] = g
		}
	}
	return out
}

// state is every resource kind's snapshot, each entry as JSON so that
// comparisons ignore pointer identity and show readable diffs.
type state map[string]map[string]string

func takeSnapshot(ctx context.Context, t *testing.T, cfg aws.Config) state {
	t.Helper()
	s := state{}
	for _, r := range resources {
		s[r.name] = map[string]string{}
		for k, v := range r.snapshot(ctx, t, cfg) {
			b, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			s[r.name][k] = string(b)
		}
	}
	return s
}

// mustContain checks that every entry of want is in got, unchanged.
func mustContain(t *testing.T, got, want state) {
	t.Helper()
	for kind, entries := range want {
		for k, v := range entries {
			g, ok := got[kind][k]
			switch {
			case !ok:
				t.Errorf("%s %s was lost", kind, k)
			case g != v:
				t.Errorf("%s %s changed:\nbefore %s\nafter  %s", kind, k, v, g)
			}
		}
	}
}

func keysOf(s state) []string {
	var out []string
	for kind, entries := range s {
		for k := range entries {
			out = append(out, kind+" "+k)
		}
	}
	sort.Strings(out)
	return out
}

// --- running the real binary ---

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// berthBinary builds cmd/berth once per test binary.
func berthBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		gomod, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil || strings.TrimSpace(string(gomod)) == "" {
			binErr = fmt.Errorf("go env GOMOD: %v", err)
			return
		}
		if binDir, binErr = os.MkdirTemp("", "berth-persist-"); binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "berth"), "./cmd/berth")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/berth: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "berth")
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// emulatorProcess is a running `berth emulator`.
type emulatorProcess struct {
	cmd    *exec.Cmd
	URL    string
	stderr *bytes.Buffer
	done   chan error
	// stopped is set once stop has seen the process end.
	stopped bool
}

func startEmulator(t *testing.T, addr, dataDir string) *emulatorProcess {
	t.Helper()
	p := &emulatorProcess{URL: "http://" + addr, stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(berthBinary(t), "emulator", "--emulator-addr", addr, "--data-dir", dataDir)
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if !p.stopped {
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/")
		if err == nil {
			resp.Body.Close()
			return p
		}
		select {
		case err := <-p.done:
			t.Fatalf("berth emulator exited before answering: %v\n%s", err, p.stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("berth emulator did not answer on %s\n%s", addr, p.stderr)
		}
	}
}

// stop sends sig and waits for the process to end. After SIGTERM it must
// exit cleanly.
func (p *emulatorProcess) stop(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.stopped = true
		if sig == syscall.SIGTERM && err != nil {
			t.Fatalf("berth emulator after SIGTERM: %v\n%s", err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("berth emulator did not stop on %v\n%s", sig, p.stderr)
	}
}

func TestStateSurvivesRestartAndKill(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	addr := freeAddr(t)

	proc := startEmulator(t, addr, dataDir)
	cfg := emutest.Config(proc.URL, "us-east-1")
	cli := clitest.New(t, proc.URL)

	var created []string
	for _, r := range resources {
		created = append(created, r.create(ctx, t, cfg, "a")...)
	}
	before := takeSnapshot(ctx, t, cfg)
	for _, k := range created {
		if !hasKey(before, k) {
			t.Fatalf("%s missing right after creation; have %v", k, keysOf(before))
		}
	}
	roleBefore := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout

	// (1) A clean stop and start keeps exactly the same state.
	proc.stop(t, syscall.SIGTERM)
	proc = startEmulator(t, addr, dataDir)
	after := takeSnapshot(ctx, t, cfg)
	mustContain(t, after, before)
	mustContain(t, before, after)
	if got := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout; got != roleBefore {
		t.Errorf("aws iam get-role differs after restart:\nbefore %s\nafter  %s", roleBefore, got)
	}

	// (2) SIGKILL straight after the 200s loses nothing that was confirmed.
	var confirmed []string
	for _, r := range resources {
		confirmed = append(confirmed, r.create(ctx, t, cfg, "b")...)
	}
	proc.stop(t, syscall.SIGKILL)
	proc = startEmulator(t, addr, dataDir)
	killed := takeSnapshot(ctx, t, cfg)
	mustContain(t, killed, before)
	for _, k := range confirmed {
		if !hasKey(killed, k) {
			t.Errorf("%s was confirmed before SIGKILL and lost; have %v", k, keysOf(killed))
		}
	}
	if got := cli.MustRun(t, "iam", "get-role", "--role-name", "persist-a").Stdout; got != roleBefore {
		t.Errorf("aws iam get-role differs after SIGKILL:\nbefore %s\nafter  %s", roleBefore, got)
	}
	cli.MustRun(t, "iam", "get-role", "--role-name", "persist-b")
	proc.stop(t, syscall.SIGTERM)
}

func hasKey(s state, key string) bool {
	for _, entries := range s {
		if _, ok := entries[key]; ok {
			return true
		}
	}
	return false
}
