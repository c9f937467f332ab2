// Package ecs emulates ECS task definitions and clusters for the local AWS
// emulator. Validation comes from internal/awsrules, so the emulator and
// Berth's task definition forms accept exactly the same definitions.
//
// A task definition is kept as the JSON document ECS returns for it: the
// request as sent (so fields this emulator does not know round-trip) with the
// defaults and derived fields ECS adds. Status changes rewrite the document.
package ecs

import (
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// targetPrefix is ECS's X-Amz-Target prefix.
const targetPrefix = "AmazonEC2ContainerServiceV20141113"

type service struct {
	db *state.DB
	// lastRevision caches ecs_task_families.last_revision by family
	// (account, region and name joined by familyKey). Only register changes
	// that column, and it reads and writes this map inside s.db.Write, which
	// runs one function at a time; the map is updated when the write
	// commits (Tx.OnCommit), so it never runs ahead of the database.
	lastRevision map[string]int
}

// Register adds ECS's operations to the router, creating its tables.
func Register(r *awsapi.Router, db *state.DB) error {
	if err := db.Migrate(schema...); err != nil {
		return err
	}
	s := &service{db: db, lastRevision: map[string]int{}}
	r.AddJSON(&awsapi.JSONService{
		TargetPrefix: targetPrefix,
		MessageKey:   "message",
		Ops: map[string]awsapi.JSONOp{
			"RegisterTaskDefinition":     s.registerTaskDefinition,
			"DescribeTaskDefinition":     awsapi.Op(s.describeTaskDefinition),
			"ListTaskDefinitions":        awsapi.Op(s.listTaskDefinitions),
			"ListTaskDefinitionFamilies": awsapi.Op(s.listTaskDefinitionFamilies),
			"DeregisterTaskDefinition":   awsapi.Op(s.deregisterTaskDefinition),
			"DeleteTaskDefinitions":      awsapi.Op(s.deleteTaskDefinitions),
			"CreateCluster":              awsapi.Op(s.createCluster),
			"ListClusters":               awsapi.Op(s.listClusters),
			"DescribeClusters":           awsapi.Op(s.describeClusters),
			"TagResource":                awsapi.Op(s.tagResource),
			"UntagResource":              awsapi.Op(s.untagResource),
			"ListTagsForResource":        awsapi.Op(s.listTagsForResource),
		},
	})
	return nil
}

var schema = []string{
	// One row per revision. doc is the task definition as Describe returns
	// it; tags is a JSON array of {key, value}.
	`CREATE TABLE IF NOT EXISTS ecs_task_definitions (
		account  TEXT NOT NULL,
		region   TEXT NOT NULL,
		family   TEXT NOT NULL,
		revision INTEGER NOT NULL,
		status   TEXT NOT NULL,
		doc      TEXT NOT NULL,
		tags     TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (account, region, family, revision)
	)`,
	// Listing by status in (family, revision) order, and "latest ACTIVE
	// revision of a family", both walk this index.
	`CREATE INDEX IF NOT EXISTS ecs_task_definitions_status
		ON ecs_task_definitions (account, region, status, family, revision)`,
	// last_revision never goes down, so a deleted revision's number is never
	// reused; active counts the family's ACTIVE revisions.
	`CREATE TABLE IF NOT EXISTS ecs_task_families (
		account       TEXT NOT NULL,
		region        TEXT NOT NULL,
		family        TEXT NOT NULL,
		last_revision INTEGER NOT NULL,
		active        INTEGER NOT NULL,
		PRIMARY KEY (account, region, family)
	)`,
	`CREATE TABLE IF NOT EXISTS ecs_clusters (
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		name    TEXT NOT NULL,
		doc     TEXT NOT NULL,
		tags    TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (account, region, name)
	)`,
}

// Error codes of the ECS API.
const (
	codeClient           = "ClientException"
	codeInvalidParameter = "InvalidParameterException"
	codeClusterNotFound  = "ClusterNotFoundException"
)

func errInvalid(msg string) error { return awsapi.NewError(codeInvalidParameter, msg) }

// checkInclude refuses an include value outside the operation's list. The
// text is ECS's for DescribeClusters ("include should be one of
// [ATTACHMENTS,SETTINGS,STATISTICS,TAGS]", from a region that had no
// CONFIGURATIONS yet); DescribeTaskDefinition's is taken to follow it.
func checkInclude(include, allowed []string) error {
	for _, v := range include {
		if !slices.Contains(allowed, v) {
			return errInvalid("include should be one of [" + strings.Join(allowed, ",") + "]")
		}
	}
	return nil
}

// errNoTaskDefinition is ECS's answer for a task definition it cannot find.
var errNoTaskDefinition = awsapi.NewError(codeClient, "Unable to describe task definition.")

// tdRef is a parsed task definition identifier: family, family:revision or
// the full ARN.
type tdRef struct {
	family   string
	revision int // 0: none given
}

// parseTDRef reads a task definition identifier in the caller's account and
// region. ok is false when it is not one.
func parseTDRef(c *awsapi.Context, s string) (tdRef, bool) {
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[2] != "ecs" || parts[3] != c.Region || parts[4] != c.Account ||
			!strings.HasPrefix(parts[5], "task-definition/") {
			return tdRef{}, false
		}
		s = strings.TrimPrefix(parts[5], "task-definition/")
		if !strings.Contains(s, ":") {
			return tdRef{}, false
		}
	}
	fam, rev, hasRev := strings.Cut(s, ":")
	if fam == "" {
		return tdRef{}, false
	}
	if !hasRev {
		return tdRef{family: fam}, true
	}
	n, err := strconv.Atoi(rev)
	if err != nil || n < 1 {
		return tdRef{}, false
	}
	return tdRef{family: fam, revision: n}, true
}

func tdARN(c *awsapi.Context, family string, revision int) string {
	return c.ARN("ecs", "task-definition/"+family+":"+strconv.Itoa(revision))
}

func clusterARN(c *awsapi.Context, name string) string {
	return c.ARN("ecs", "cluster/"+name)
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
