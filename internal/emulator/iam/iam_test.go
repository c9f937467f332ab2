package iam_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

const (
	ecsTrust = `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	ec2Trust = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`
	execPol  = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
)

func client(t *testing.T) *iam.Client {
	t.Helper()
	return iam.NewFromConfig(emutest.Start(t).Config)
}

func createRole(t *testing.T, c *iam.Client, name, doc string) *types.Role {
	t.Helper()
	out, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return out.Role
}

// apiError asserts err is the AWS error code with the HTTP status and a
// message containing want.
func apiError(t *testing.T, err error, code string, status int, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
	if !strings.Contains(ae.ErrorMessage(), want) {
		t.Errorf("message = %q, want it to contain %q", ae.ErrorMessage(), want)
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Errorf("HTTP status = %d, want %d", re.HTTPStatusCode(), status)
	}
}

func TestCreateRoleResponse(t *testing.T) {
	t.Parallel()
	c := client(t)
	before := time.Now().Add(-time.Second)
	out, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName:                 aws.String("ecsTaskExecutionRole"),
		AssumeRolePolicyDocument: aws.String(ecsTrust),
		Description:              aws.String("Lets ECS pull images & write logs"),
		Tags:                     []types.Tag{{Key: aws.String("team"), Value: aws.String("platform")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if aws.ToString(r.Path) != "/" || aws.ToString(r.RoleName) != "ecsTaskExecutionRole" {
		t.Errorf("Path/RoleName = %q %q", aws.ToString(r.Path), aws.ToString(r.RoleName))
	}
	if !regexp.MustCompile(`^AROA[A-Z0-9]{17}$`).MatchString(aws.ToString(r.RoleId)) {
		t.Errorf("RoleId = %q", aws.ToString(r.RoleId))
	}
	if got := aws.ToString(r.Arn); got != "arn:aws:iam::000000000000:role/ecsTaskExecutionRole" {
		t.Errorf("Arn = %q", got)
	}
	if r.CreateDate == nil || r.CreateDate.Before(before) || r.CreateDate.After(time.Now().Add(time.Second)) {
		t.Errorf("CreateDate = %v", r.CreateDate)
	}
	// IAM returns the trust policy URL-encoded; the SDK leaves it so.
	doc := aws.ToString(r.AssumeRolePolicyDocument)
	if !strings.HasPrefix(doc, "%7B%22Version%22%3A%222012-10-17%22") {
		t.Errorf("AssumeRolePolicyDocument not URL-encoded: %q", doc)
	}
	if dec, _ := url.PathUnescape(doc); dec != ecsTrust {
		t.Errorf("decoded policy = %q", dec)
	}
	if aws.ToString(r.Description) != "Lets ECS pull images & write logs" {
		t.Errorf("Description = %q", aws.ToString(r.Description))
	}
	if aws.ToInt32(r.MaxSessionDuration) != 3600 {
		t.Errorf("MaxSessionDuration = %d, want default 3600", aws.ToInt32(r.MaxSessionDuration))
	}
	if len(r.Tags) != 1 || aws.ToString(r.Tags[0].Key) != "team" {
		t.Errorf("Tags = %+v", r.Tags)
	}
	if r.RoleLastUsed != nil || r.PermissionsBoundary != nil {
		t.Errorf("RoleLastUsed/PermissionsBoundary should be omitted")
	}
}

func TestCreateRoleWithPathAndSession(t *testing.T) {
	t.Parallel()
	c := client(t)
	out, err := c.CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String("app"), Path: aws.String("/service/berth/"),
		AssumeRolePolicyDocument: aws.String(ecsTrust), MaxSessionDuration: aws.Int32(7200),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.Role.Arn); got != "arn:aws:iam::000000000000:role/service/berth/app" {
		t.Errorf("Arn = %q", got)
	}
	if out.Role.Description != nil || out.Role.Tags != nil {
		t.Errorf("Description/Tags should be omitted when not set: %+v", out.Role)
	}
	g, err := c.GetRole(context.Background(), &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(g.Role.MaxSessionDuration) != 7200 || aws.ToString(g.Role.Path) != "/service/berth/" {
		t.Errorf("GetRole = %+v", g.Role)
	}
}

func TestCreateRoleErrors(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	createRole(t, c, "Existing", ecsTrust)

	cases := []struct {
		name   string
		in     iam.CreateRoleInput
		code   string
		status int
		msg    string
	}{
		{"duplicate", iam.CreateRoleInput{RoleName: aws.String("Existing"), AssumeRolePolicyDocument: aws.String(ecsTrust)},
			"EntityAlreadyExists", 409, "Role with name Existing already exists."},
		{"duplicate other case", iam.CreateRoleInput{RoleName: aws.String("EXISTING"), AssumeRolePolicyDocument: aws.String(ecsTrust)},
			"EntityAlreadyExists", 409, "Role with name EXISTING already exists."},
		{"bad name", iam.CreateRoleInput{RoleName: aws.String("bad name!"), AssumeRolePolicyDocument: aws.String(ecsTrust)},
			"ValidationError", 400, "The specified value for roleName is invalid. It must contain only alphanumeric characters and/or the following: +=,.@_-"},
		{"long name", iam.CreateRoleInput{RoleName: aws.String(strings.Repeat("a", 65)), AssumeRolePolicyDocument: aws.String(ecsTrust)},
			"ValidationError", 400, "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"bad path", iam.CreateRoleInput{RoleName: aws.String("p"), Path: aws.String("noslash"), AssumeRolePolicyDocument: aws.String(ecsTrust)},
			"ValidationError", 400, `at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"session too short and bad path", iam.CreateRoleInput{RoleName: aws.String("s"), Path: aws.String("x"), AssumeRolePolicyDocument: aws.String(ecsTrust), MaxSessionDuration: aws.Int32(60)},
			"ValidationError", 400, "2 validation errors detected: "},
		{"session too long", iam.CreateRoleInput{RoleName: aws.String("s"), AssumeRolePolicyDocument: aws.String(ecsTrust), MaxSessionDuration: aws.Int32(43201)},
			"ValidationError", 400, "Value '43201' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200"},
		{"invalid json", iam.CreateRoleInput{RoleName: aws.String("j"), AssumeRolePolicyDocument: aws.String("trust.json")},
			"MalformedPolicyDocument", 400, "This policy contains invalid Json"},
		{"resource in trust policy", iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)},
			"MalformedPolicyDocument", 400, "Has prohibited field Resource"},
		{"no principal", iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)},
			"MalformedPolicyDocument", 400, "Missing required field Principal"},
		{"duplicate tag keys", iam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(ecsTrust),
			Tags: []types.Tag{{Key: aws.String("Env"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("b")}}},
			"InvalidInput", 400, "Duplicate tag keys found."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.CreateRole(ctx, &tc.in)
			apiError(t, err, tc.code, tc.status, tc.msg)
		})
	}
	var exists *types.EntityAlreadyExistsException
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("Existing"), AssumeRolePolicyDocument: aws.String(ecsTrust)})
	if !errors.As(err, &exists) {
		t.Errorf("duplicate: err = %T, want *types.EntityAlreadyExistsException", err)
	}
	var malformed *types.MalformedPolicyDocumentException
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("m"), AssumeRolePolicyDocument: aws.String("{")})
	if !errors.As(err, &malformed) {
		t.Errorf("bad json: err = %T, want *types.MalformedPolicyDocumentException", err)
	}
}

func TestGetRole(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	created := createRole(t, c, "Reader", ecsTrust)

	// Names are case-insensitive: another case finds the same role.
	out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("reader")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Role.RoleId) != aws.ToString(created.RoleId) || aws.ToString(out.Role.RoleName) != "Reader" {
		t.Errorf("GetRole = %+v", out.Role)
	}
	if !out.Role.CreateDate.Equal(*created.CreateDate) {
		t.Errorf("CreateDate %v != %v", out.Role.CreateDate, created.CreateDate)
	}
	if aws.ToString(out.Role.AssumeRolePolicyDocument) != aws.ToString(created.AssumeRolePolicyDocument) {
		t.Errorf("policy differs")
	}

	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("missing")})
	apiError(t, err, "NoSuchEntity", 404, "The role with name missing cannot be found.")
	var nse *types.NoSuchEntityException
	if !errors.As(err, &nse) {
		t.Errorf("err = %T, want *types.NoSuchEntityException", err)
	}
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("a/b")})
	apiError(t, err, "ValidationError", 400, "The specified value for roleName is invalid.")
}

func TestListRolesPaginationAndPrefix(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("role-%02d", i)
		path := "/"
		if i%2 == 1 {
			path = "/ecs/"
		}
		if _, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path), AssumeRolePolicyDocument: aws.String(ecsTrust)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, name)
	}

	first, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if !first.IsTruncated || first.Marker == nil || len(first.Roles) != 3 {
		t.Fatalf("first page: truncated=%v marker=%v n=%d", first.IsTruncated, first.Marker, len(first.Roles))
	}
	if first.Roles[0].Tags != nil {
		t.Errorf("ListRoles must not return tags")
	}

	var got []string
	p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Roles {
			got = append(got, aws.ToString(r.RoleName))
		}
	}
	if pages != 3 || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paginated %d pages: %v, want %v", pages, got, want)
	}

	last, err := c.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if last.IsTruncated || last.Marker != nil || len(last.Roles) != 7 {
		t.Errorf("unpaged list: truncated=%v marker=%v n=%d", last.IsTruncated, last.Marker, len(last.Roles))
	}

	ecs, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/ecs/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ecs.Roles) != 3 {
		t.Errorf("PathPrefix /ecs/: %d roles, want 3", len(ecs.Roles))
	}
	for _, r := range ecs.Roles {
		if aws.ToString(r.Path) != "/ecs/" {
			t.Errorf("role %s path %s", aws.ToString(r.RoleName), aws.ToString(r.Path))
		}
	}

	_, err = c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1001)})
	apiError(t, err, "ValidationError", 400, "Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000")
}

func TestListRolesEmpty(t *testing.T) {
	t.Parallel()
	out, err := client(t).ListRoles(context.Background(), &iam.ListRolesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Roles) != 0 || out.IsTruncated {
		t.Errorf("empty account: %+v", out)
	}
}

func TestAttachRolePolicy(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	createRole(t, c, "ecsTaskExecutionRole", ecsTrust)

	for _, arn := range []string{execPol, "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly", "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess", execPol} {
		if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("ecsTaskExecutionRole"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("attach %s: %v", arn, err)
		}
	}
	out, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole")})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range out.AttachedPolicies {
		got[aws.ToString(p.PolicyArn)] = aws.ToString(p.PolicyName)
	}
	if len(got) != 3 || got[execPol] != "AmazonECSTaskExecutionRolePolicy" || got["arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"] != "CloudWatchLogsFullAccess" {
		t.Errorf("attached = %v (attaching twice must not duplicate)", got)
	}
	if out.IsTruncated {
		t.Error("IsTruncated")
	}

	paged, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole"), MaxItems: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if !paged.IsTruncated || len(paged.AttachedPolicies) != 2 {
		t.Fatalf("page 1: %+v", paged)
	}
	rest, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole"), Marker: paged.Marker})
	if err != nil {
		t.Fatal(err)
	}
	if rest.IsTruncated || len(rest.AttachedPolicies) != 1 {
		t.Errorf("page 2: %+v", rest)
	}

	sr, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("ecsTaskExecutionRole"), PathPrefix: aws.String("/service-role/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.AttachedPolicies) != 1 || aws.ToString(sr.AttachedPolicies[0].PolicyArn) != execPol {
		t.Errorf("PathPrefix /service-role/: %+v", sr.AttachedPolicies)
	}
}

func TestAttachRolePolicyErrors(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	createRole(t, c, "r", ecsTrust)

	_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("nope"), PolicyArn: aws.String(execPol)})
	apiError(t, err, "NoSuchEntity", 404, "The role with name nope cannot be found.")

	unknown := "arn:aws:iam::aws:policy/AWSLambdaFullAccess"
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(unknown)})
	apiError(t, err, "NoSuchEntity", 404, "Policy "+unknown+" does not exist or is not attachable.")

	customer := "arn:aws:iam::000000000000:policy/mine"
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(customer)})
	apiError(t, err, "NoSuchEntity", 404, "Policy "+customer+" does not exist or is not attachable.")

	bad := "arn:aws:iam:aws:policy/AdministratorAccess"
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(bad)})
	apiError(t, err, "InvalidInput", 400, "ARN "+bad+" is not valid.")

	_, err = c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("nope")})
	apiError(t, err, "NoSuchEntity", 404, "The role with name nope cannot be found.")
}

// TestBerthExecutionRoleFlow is what Berth's task definition wizard does:
// find roles that ECS tasks can assume, or create ecsTaskExecutionRole with
// the execution policy attached.
func TestBerthExecutionRoleFlow(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	createRole(t, c, "ec2-only", ec2Trust)

	trusted := func() []string {
		var names []string
		p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page.Roles {
				doc, err := url.QueryUnescape(aws.ToString(r.AssumeRolePolicyDocument))
				if err != nil {
					t.Fatalf("policy of %s does not URL-decode: %v", aws.ToString(r.RoleName), err)
				}
				if strings.Contains(doc, `"ecs-tasks.amazonaws.com"`) {
					names = append(names, aws.ToString(r.RoleName))
				}
			}
		}
		return names
	}
	if got := trusted(); len(got) != 0 {
		t.Fatalf("trusted roles before = %v", got)
	}
	role := createRole(t, c, "ecsTaskExecutionRole", ecsTrust)
	if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: role.RoleName, PolicyArn: aws.String(execPol)}); err != nil {
		t.Fatal(err)
	}
	if got := trusted(); len(got) != 1 || got[0] != "ecsTaskExecutionRole" {
		t.Errorf("trusted roles after = %v", got)
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)

	var created struct {
		Role struct {
			RoleName, Arn, RoleId, Path string
			AssumeRolePolicyDocument    map[string]any
			MaxSessionDuration          int
		}
	}
	cli.MustRun(t, "iam", "create-role", "--role-name", "ecsTaskExecutionRole", "--assume-role-policy-document", ecsTrust).JSON(t, &created)
	if created.Role.Arn != "arn:aws:iam::000000000000:role/ecsTaskExecutionRole" || created.Role.MaxSessionDuration != 3600 {
		t.Errorf("create-role = %+v", created.Role)
	}
	// The CLI decodes IAM's URL-encoded policy into JSON.
	if created.Role.AssumeRolePolicyDocument["Version"] != "2012-10-17" {
		t.Errorf("AssumeRolePolicyDocument = %v", created.Role.AssumeRolePolicyDocument)
	}

	cli.MustRun(t, "iam", "attach-role-policy", "--role-name", "ecsTaskExecutionRole", "--policy-arn", execPol)

	var got struct {
		Role struct{ RoleName, RoleId string }
	}
	cli.MustRun(t, "iam", "get-role", "--role-name", "ecsTaskExecutionRole").JSON(t, &got)
	if got.Role.RoleId != created.Role.RoleId {
		t.Errorf("get-role RoleId = %q, want %q", got.Role.RoleId, created.Role.RoleId)
	}

	var list struct {
		Roles []struct{ RoleName string }
	}
	cli.MustRun(t, "iam", "list-roles").JSON(t, &list)
	if len(list.Roles) != 1 || list.Roles[0].RoleName != "ecsTaskExecutionRole" {
		t.Errorf("list-roles = %+v", list)
	}

	var att struct {
		AttachedPolicies []struct{ PolicyName, PolicyArn string }
	}
	cli.MustRun(t, "iam", "list-attached-role-policies", "--role-name", "ecsTaskExecutionRole").JSON(t, &att)
	if len(att.AttachedPolicies) != 1 || att.AttachedPolicies[0].PolicyName != "AmazonECSTaskExecutionRolePolicy" {
		t.Errorf("list-attached-role-policies = %+v", att)
	}

	r := cli.MustFail(t, "NoSuchEntity", "iam", "get-role", "--role-name", "ghost")
	if !strings.Contains(r.Stderr, "The role with name ghost cannot be found.") {
		t.Errorf("stderr = %s", r.Stderr)
	}
	cli.MustFail(t, "EntityAlreadyExists", "iam", "create-role", "--role-name", "ecsTaskExecutionRole", "--assume-role-policy-document", ecsTrust)
}
