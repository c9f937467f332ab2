package ecs

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
)

// taggable is a resource whose tags live in a tags column: the table and the
// WHERE clause (after account and region) that finds its row.
type taggable struct {
	table    string
	where    string
	args     []any
	notFound error
}

var errBadARN = errInvalid("The ARN provided is invalid.")

// resolveARN maps a task definition or cluster ARN to its row.
func resolveARN(c *awsapi.Context, arn string) (taggable, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "ecs" {
		return taggable{}, errBadARN
	}
	res := parts[5]
	switch {
	case strings.HasPrefix(res, "task-definition/"):
		fam, rev, ok := strings.Cut(strings.TrimPrefix(res, "task-definition/"), ":")
		n, err := strconv.Atoi(rev)
		if !ok || err != nil || fam == "" {
			return taggable{}, errBadARN
		}
		t := taggable{table: "ecs_task_definitions", where: "family=? AND revision=?", args: []any{fam, n}, notFound: errNoTaskDefinition}
		if parts[3] != c.Region || parts[4] != c.Account {
			t.args = nil
		}
		return t, nil
	case strings.HasPrefix(res, "cluster/"):
		t := taggable{table: "ecs_clusters", where: "name=?", args: []any{strings.TrimPrefix(res, "cluster/")},
			notFound: awsapi.NewError(codeClusterNotFound, "Cluster not found.")}
		if parts[3] != c.Region || parts[4] != c.Account {
			t.args = nil
		}
		return t, nil
	}
	return taggable{}, errBadARN
}

func (t taggable) load(c *awsapi.Context, q interface {
	QueryRow(string, ...any) *sql.Row
}) ([]tag, error) {
	if t.args == nil {
		return nil, t.notFound
	}
	var raw string
	err := q.QueryRow(`SELECT tags FROM `+t.table+` WHERE account=? AND region=? AND `+t.where,
		append([]any{c.Account, c.Region}, t.args...)...).Scan(&raw)
	if isNoRows(err) {
		return nil, t.notFound
	}
	if err != nil {
		return nil, err
	}
	tags := []tag{}
	err = json.Unmarshal([]byte(raw), &tags)
	return tags, err
}

func (t taggable) save(c *awsapi.Context, tx *sql.Tx, tags []tag) error {
	b, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE `+t.table+` SET tags=? WHERE account=? AND region=? AND `+t.where,
		append([]any{string(b), c.Account, c.Region}, t.args...)...)
	return err
}

type tagResourceIn struct {
	ResourceArn *string `json:"resourceArn"`
	Tags        []tag   `json:"tags"`
}

type empty struct{}

func (s *service) tagResource(c *awsapi.Context, in *tagResourceIn) (*empty, error) {
	t, err := resolveARN(c, str(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err = s.db.Write(c, func(tx *sql.Tx) error {
		tags, err := t.load(c, tx)
		if err != nil {
			return err
		}
		for _, nt := range in.Tags {
			replaced := false
			for i := range tags {
				if str(tags[i].Key) == str(nt.Key) {
					tags[i].Value = nt.Value
					replaced = true
				}
			}
			if !replaced {
				tags = append(tags, nt)
			}
		}
		if len(tags) > awsrules.ECSMaxTags {
			return errInvalid("The number of tags cannot exceed 50.")
		}
		return t.save(c, tx, tags)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type untagResourceIn struct {
	ResourceArn *string  `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func (s *service) untagResource(c *awsapi.Context, in *untagResourceIn) (*empty, error) {
	t, err := resolveARN(c, str(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	err = s.db.Write(c, func(tx *sql.Tx) error {
		tags, err := t.load(c, tx)
		if err != nil {
			return err
		}
		kept := []tag{}
		for _, tg := range tags {
			if !drop[str(tg.Key)] {
				kept = append(kept, tg)
			}
		}
		return t.save(c, tx, kept)
	})
	if err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type listTagsIn struct {
	ResourceArn *string `json:"resourceArn"`
}

type listTagsOut struct {
	Tags []tag `json:"tags"`
}

func (s *service) listTagsForResource(c *awsapi.Context, in *listTagsIn) (*listTagsOut, error) {
	t, err := resolveARN(c, str(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags, err := t.load(c, s.db.Read())
	if err != nil {
		return nil, err
	}
	return &listTagsOut{Tags: tags}, nil
}
