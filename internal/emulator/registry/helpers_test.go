package registry_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/berthhq/berth/internal/emulator/emutest"
)

// reg is one running emulator seen as a registry: its host, the ECR
// client, and the login a person gets from `aws ecr get-login-password`.
type reg struct {
	env  *emutest.Env
	host string
	ecr  *ecr.Client
	pass string
}

func startReg(t testing.TB) *reg {
	t.Helper()
	return regFor(t, emutest.Start(t))
}

func regFor(t testing.TB, env *emutest.Env) *reg {
	t.Helper()
	u, err := url.Parse(env.URL)
	if err != nil {
		t.Fatal(err)
	}
	c := ecr.NewFromConfig(env.Config)
	return &reg{env: env, host: u.Host, ecr: c, pass: password(t, c)}
}

// password is GetAuthorizationToken's token with its "AWS:" user cut off.
func password(t testing.TB, c *ecr.Client) string {
	t.Helper()
	out, err := c.GetAuthorizationToken(context.Background(), &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.AuthorizationData[0].AuthorizationToken))
	if err != nil {
		t.Fatal(err)
	}
	user, pw, _ := strings.Cut(string(b), ":")
	if user != "AWS" {
		t.Fatalf("token user %q", user)
	}
	return pw
}

func (g *reg) createRepo(t testing.TB, name string, mutability types.ImageTagMutability) {
	t.Helper()
	_, err := g.ecr.CreateRepository(context.Background(), &ecr.CreateRepositoryInput{
		RepositoryName: aws.String(name), ImageTagMutability: mutability,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// opts are crane's remote options with the ECR login.
func (g *reg) opts() []remote.Option {
	return []remote.Option{remote.WithAuth(&authn.Basic{Username: "AWS", Password: g.pass})}
}

func (g *reg) ref(t testing.TB, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(g.host+"/"+s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
