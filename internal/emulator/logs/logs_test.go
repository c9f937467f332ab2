package logs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/smithy-go"

	"github.com/berthhq/berth/internal/emulator/clitest"
	"github.com/berthhq/berth/internal/emulator/emutest"
)

const account = "000000000000"

func client(t *testing.T) *cloudwatchlogs.Client {
	t.Helper()
	return cloudwatchlogs.NewFromConfig(emutest.Start(t).Config)
}

func create(t *testing.T, c *cloudwatchlogs.Client, name string) {
	t.Helper()
	if _, err := c.CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatalf("CreateLogGroup %s: %v", name, err)
	}
}

func apiError(t *testing.T, err error, code, want string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), want) {
		t.Fatalf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, want)
	}
}

func describe(t *testing.T, c *cloudwatchlogs.Client, in *cloudwatchlogs.DescribeLogGroupsInput) []types.LogGroup {
	t.Helper()
	out, err := c.DescribeLogGroups(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.LogGroups
}

func TestCreateAndDescribe(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	before := time.Now().Add(-time.Second).UnixMilli()
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{
		LogGroupName: aws.String("/ecs/web"),
		Tags:         map[string]string{"app": "web"},
	}); err != nil {
		t.Fatal(err)
	}
	groups := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{})
	if len(groups) != 1 {
		t.Fatalf("groups = %+v", groups)
	}
	g := groups[0]
	if aws.ToString(g.LogGroupName) != "/ecs/web" {
		t.Errorf("name = %q", aws.ToString(g.LogGroupName))
	}
	// Milliseconds, not seconds.
	if ct := aws.ToInt64(g.CreationTime); ct < before || ct > time.Now().Add(time.Second).UnixMilli() {
		t.Errorf("creationTime = %d, want epoch ms near %d", ct, before)
	}
	if got := aws.ToString(g.Arn); got != "arn:aws:logs:us-east-1:"+account+":log-group:/ecs/web:*" {
		t.Errorf("arn = %q", got)
	}
	if got := aws.ToString(g.LogGroupArn); got != "arn:aws:logs:us-east-1:"+account+":log-group:/ecs/web" {
		t.Errorf("logGroupArn = %q", got)
	}
	if g.StoredBytes == nil || *g.StoredBytes != 0 || g.MetricFilterCount == nil || *g.MetricFilterCount != 0 {
		t.Errorf("storedBytes/metricFilterCount = %v %v", g.StoredBytes, g.MetricFilterCount)
	}
	if g.RetentionInDays != nil || g.KmsKeyId != nil {
		t.Errorf("retention/kms should be omitted: %v %v", g.RetentionInDays, g.KmsKeyId)
	}
	if g.LogGroupClass != types.LogGroupClassStandard {
		t.Errorf("logGroupClass = %q", g.LogGroupClass)
	}
}

func TestCreateLogGroupErrors(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	create(t, c, "/ecs/dup")
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/dup")})
	var exists *types.ResourceAlreadyExistsException
	if !errors.As(err, &exists) || aws.ToString(exists.Message) != "The specified log group already exists" {
		t.Errorf("duplicate: err = %v", err)
	}

	cases := []struct{ name, msg string }{
		{"has space", "1 validation error detected: Value 'has space' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+"},
		{strings.Repeat("a", 513), "Member must have length less than or equal to 512"},
		{"", "Member must have length greater than or equal to 1"},
	}
	for _, tc := range cases {
		_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(tc.name)})
		var ipe *types.InvalidParameterException
		if !errors.As(err, &ipe) {
			t.Fatalf("CreateLogGroup(%q): err = %v, want InvalidParameterException", tc.name, err)
		}
		if !strings.Contains(aws.ToString(ipe.Message), tc.msg) {
			t.Errorf("message = %q, want %q", aws.ToString(ipe.Message), tc.msg)
		}
	}
	_, err = c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("x"), LogGroupClass: "COLD"})
	apiError(t, err, "InvalidParameterException", "Value 'COLD' at 'logGroupClass' failed to satisfy constraint")
}

func TestKmsKey(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	c := cloudwatchlogs.NewFromConfig(env.Config)
	ctx := context.Background()
	key, err := kms.NewFromConfig(env.Config).CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(key.KeyMetadata.Arn)
	if _, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/enc"), KmsKeyId: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	g := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{})
	if len(g) != 1 || aws.ToString(g[0].KmsKeyId) != arn {
		t.Errorf("kmsKeyId = %+v", g)
	}
	for _, bad := range []string{
		"arn:aws:kms:us-east-1:" + account + ":key/11111111-2222-3333-4444-555555555555",
		aws.ToString(key.KeyMetadata.KeyId),
	} {
		_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ecs/bad"), KmsKeyId: aws.String(bad)})
		apiError(t, err, "AccessDeniedException", "The specified KMS key does not exist or is not allowed to be used with Arn 'arn:aws:logs:us-east-1:"+account+":log-group:/ecs/bad'")
	}
	if n := len(describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{})); n != 1 {
		t.Errorf("refused groups were created: %d groups", n)
	}
}

func TestDescribePrefixAndPagination(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	var ecs []string
	for i := range 7 {
		name := fmt.Sprintf("/ecs/app-%d", i)
		create(t, c, name)
		ecs = append(ecs, name)
	}
	create(t, c, "/aws/lambda/f")
	create(t, c, "/ecsx")

	got := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/ecs/")})
	var names []string
	for _, g := range got {
		names = append(names, aws.ToString(g.LogGroupName))
	}
	if !slices.Equal(names, ecs) {
		t.Errorf("prefix /ecs/ = %v", names)
	}

	first, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(3)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.LogGroups) != 3 || first.NextToken == nil {
		t.Fatalf("page 1: %d groups, token %v", len(first.LogGroups), first.NextToken)
	}
	var all []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(4), LogGroupNamePrefix: aws.String("/")})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, g := range page.LogGroups {
			all = append(all, aws.ToString(g.LogGroupName))
		}
	}
	if pages != 3 || len(all) != 9 || !slices.IsSorted(all) {
		t.Errorf("%d pages: %v", pages, all)
	}
	last, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if last.NextToken != nil || len(last.LogGroups) != 9 {
		t.Errorf("unpaged: %d groups, token %v", len(last.LogGroups), last.NextToken)
	}

	pat := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("LAMBDA")})
	if len(pat) != 1 || aws.ToString(pat[0].LogGroupName) != "/aws/lambda/f" {
		t.Errorf("pattern = %+v", pat)
	}

	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	apiError(t, err, "InvalidParameterException", "Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")
	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/"), LogGroupNamePattern: aws.String("x")})
	apiError(t, err, "InvalidParameterException", "mutually exclusive")

	// logGroupIdentifiers picks groups by name or ARN; nothing else filters with it.
	ids := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{
		"/ecsx", "arn:aws:logs:us-east-1:" + account + ":log-group:/aws/lambda/f", "/ecs/app-3", "/missing"}})
	var idNames []string
	for _, g := range ids {
		idNames = append(idNames, aws.ToString(g.LogGroupName))
	}
	if !slices.Equal(idNames, []string{"/aws/lambda/f", "/ecs/app-3", "/ecsx"}) {
		t.Errorf("by identifiers = %v", idNames)
	}
	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: []string{"/ecsx"}, LogGroupNamePrefix: aws.String("/")})
	apiError(t, err, "InvalidParameterException", "mutually exclusive")
	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupIdentifiers: make([]string, 51)})
	apiError(t, err, "InvalidParameterException", "at 'logGroupIdentifiers' failed to satisfy constraint: Member must have length between 1 and 50")
	_, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{AccountIdentifiers: []string{"12345"}, IncludeLinkedAccounts: aws.Bool(true)})
	apiError(t, err, "InvalidParameterException", "Value '12345' at 'accountIdentifiers.1.member' failed to satisfy constraint")
	linked := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{IncludeLinkedAccounts: aws.Bool(true), AccountIdentifiers: []string{"111122223333"}})
	if len(linked) != 9 {
		t.Errorf("with linked accounts (none here): %d groups", len(linked))
	}
}

func TestRetentionAndDelete(t *testing.T) {
	t.Parallel()
	c := client(t)
	ctx := context.Background()
	create(t, c, "/ecs/r")
	if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/ecs/r"), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatal(err)
	}
	g := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{})
	if aws.ToInt32(g[0].RetentionInDays) != 14 {
		t.Errorf("retentionInDays = %v", g[0].RetentionInDays)
	}

	for _, days := range []int32{0, 2, 10, 4000} {
		_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/ecs/r"), RetentionInDays: aws.Int32(days)})
		apiError(t, err, "InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]", days))
	}
	for _, days := range []int32{1, 3653} {
		if _, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/ecs/r"), RetentionInDays: aws.Int32(days)}); err != nil {
			t.Errorf("retention %d: %v", days, err)
		}
	}
	_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/ecs/none"), RetentionInDays: aws.Int32(7)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "The specified log group does not exist." {
		t.Errorf("retention on missing group: %v", err)
	}

	if _, err := c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/ecs/r")}); err != nil {
		t.Fatal(err)
	}
	if g := describe(t, c, &cloudwatchlogs.DescribeLogGroupsInput{}); len(g) != 0 {
		t.Errorf("after delete: %+v", g)
	}
	_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/ecs/r")})
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "The specified log group does not exist." {
		t.Errorf("second delete: %v", err)
	}
	// A deleted name can be created again.
	create(t, c, "/ecs/r")
}

func TestRegionsAreSeparate(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	east := cloudwatchlogs.NewFromConfig(env.Config)
	west := cloudwatchlogs.NewFromConfig(emutest.Config(env.URL, "eu-west-1"))
	create(t, east, "/ecs/a")
	create(t, west, "/ecs/a")
	g := describe(t, west, &cloudwatchlogs.DescribeLogGroupsInput{})
	if len(g) != 1 || !strings.HasPrefix(aws.ToString(g[0].Arn), "arn:aws:logs:eu-west-1:") {
		t.Errorf("eu-west-1 groups = %+v", g)
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	env := emutest.Start(t)
	cli := clitest.New(t, env.URL)
	cli.MustRun(t, "logs", "create-log-group", "--log-group-name", "/ecs/web")
	cli.MustRun(t, "logs", "put-retention-policy", "--log-group-name", "/ecs/web", "--retention-in-days", "30")
	var out struct {
		LogGroups []struct {
			LogGroupName    string
			CreationTime    int64
			RetentionInDays int
			Arn             string
		} `json:"logGroups"`
	}
	cli.MustRun(t, "logs", "describe-log-groups", "--log-group-name-prefix", "/ecs/").JSON(t, &out)
	if len(out.LogGroups) != 1 || out.LogGroups[0].RetentionInDays != 30 || out.LogGroups[0].CreationTime < 1e12 {
		t.Errorf("describe-log-groups = %+v", out)
	}
	r := cli.MustFail(t, "ResourceAlreadyExistsException", "logs", "create-log-group", "--log-group-name", "/ecs/web")
	if !strings.Contains(r.Stderr, "The specified log group already exists") {
		t.Errorf("stderr = %s", r.Stderr)
	}
	cli.MustFail(t, "InvalidParameterException", "logs", "put-retention-policy", "--log-group-name", "/ecs/web", "--retention-in-days", "2")
	cli.MustRun(t, "logs", "delete-log-group", "--log-group-name", "/ecs/web")
	cli.MustFail(t, "ResourceNotFoundException", "logs", "delete-log-group", "--log-group-name", "/ecs/web")
}
