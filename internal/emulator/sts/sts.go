// Package sts emulates the AWS Security Token Service for the local AWS emulator.
package sts

import (
	"net/url"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// Register adds STS's operations to the router.
func Register(r *awsapi.Router, _ *state.DB) error {
	r.AddQuery(&awsapi.QueryService{
		Name:  "sts",
		XMLNS: "https://sts.amazonaws.com/doc/2011-06-15/",
		Ops: map[string]awsapi.QueryOp{
			"GetCallerIdentity": getCallerIdentity,
		},
	})
	return nil
}

type callerIdentity struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// getCallerIdentity answers as the account's root user: the emulator accepts
// any access key and has no users of its own.
func getCallerIdentity(c *awsapi.Context, _ url.Values) (any, error) {
	return callerIdentity{UserID: c.Account, Account: c.Account, Arn: c.GlobalARN("iam", "root")}, nil
}
