package ecs

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/berthhq/berth/internal/awsrules"
	"github.com/berthhq/berth/internal/emulator/awsapi"
	"github.com/berthhq/berth/internal/emulator/state"
)

// cluster is a cluster as ECS returns it. Nothing runs in the emulator, so
// every count stays 0.
type cluster struct {
	ClusterArn                        string            `json:"clusterArn"`
	ClusterName                       string            `json:"clusterName"`
	Status                            string            `json:"status"`
	RegisteredContainerInstancesCount int               `json:"registeredContainerInstancesCount"`
	RunningTasksCount                 int               `json:"runningTasksCount"`
	PendingTasksCount                 int               `json:"pendingTasksCount"`
	ActiveServicesCount               int               `json:"activeServicesCount"`
	Statistics                        []any             `json:"statistics"`
	Tags                              []tag             `json:"tags"`
	Settings                          []json.RawMessage `json:"settings"`
	CapacityProviders                 []string          `json:"capacityProviders"`
	DefaultCapacityProviderStrategy   []json.RawMessage `json:"defaultCapacityProviderStrategy"`
}

type createClusterIn struct {
	ClusterName                     *string           `json:"clusterName"`
	Tags                            []tag             `json:"tags"`
	Settings                        []json.RawMessage `json:"settings"`
	CapacityProviders               []string          `json:"capacityProviders"`
	DefaultCapacityProviderStrategy []json.RawMessage `json:"defaultCapacityProviderStrategy"`
}

// checkClusterSettings refuses what ECS refuses in a cluster's settings:
// the model's one setting name, containerInsights, takes enabled, disabled
// or enhanced. "Invalid setting 'value'" is ECS's answer to a misspelt
// value; the text for a name is taken to follow it.
func checkClusterSettings(settings []json.RawMessage) error {
	for _, raw := range settings {
		var st struct {
			Name, Value *string
		}
		if err := awsapi.Decode(raw, &st); err != nil {
			return err
		}
		if st.Name == nil || *st.Name != "containerInsights" {
			return errInvalid("Invalid setting 'name'")
		}
		if st.Value == nil || !slices.Contains([]string{"enabled", "disabled", "enhanced"}, *st.Value) {
			return errInvalid("Invalid setting 'value'")
		}
	}
	return nil
}

// checkDefaultStrategy refuses a default capacity provider strategy that
// names a provider the cluster is not given, with ECS's text for a strategy
// that does so.
func checkDefaultStrategy(providers []string, strategy []json.RawMessage) error {
	for _, raw := range strategy {
		var item struct {
			CapacityProvider *string `json:"capacityProvider"`
		}
		if err := awsapi.Decode(raw, &item); err != nil {
			return err
		}
		if item.CapacityProvider == nil || !slices.Contains(providers, *item.CapacityProvider) {
			return errInvalid("The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. " +
				"Associate the capacity provider with the cluster or specify a valid capacity provider and try again.")
		}
	}
	return nil
}

type clusterOut struct {
	Cluster json.RawMessage `json:"cluster"`
}

// createCluster is idempotent, as in ECS: creating a cluster that exists
// returns it unchanged.
func (s *service) createCluster(c *awsapi.Context, in *createClusterIn) (*clusterOut, error) {
	name := "default"
	if in.ClusterName != nil {
		name = *in.ClusterName
	}
	if !awsrules.ValidECSName(name) {
		return nil, errInvalid("Cluster name should not be empty and can contain up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens.")
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	if err := checkClusterSettings(in.Settings); err != nil {
		return nil, err
	}
	if err := checkDefaultStrategy(in.CapacityProviders, in.DefaultCapacityProviderStrategy); err != nil {
		return nil, err
	}
	cl := cluster{
		ClusterArn: clusterARN(c, name), ClusterName: name, Status: "ACTIVE",
		Statistics: []any{}, Tags: nonNilTags(in.Tags),
		Settings:                        in.Settings,
		CapacityProviders:               in.CapacityProviders,
		DefaultCapacityProviderStrategy: in.DefaultCapacityProviderStrategy,
	}
	if cl.Settings == nil {
		cl.Settings = []json.RawMessage{json.RawMessage(`{"name":"containerInsights","value":"disabled"}`)}
	}
	if cl.CapacityProviders == nil {
		cl.CapacityProviders = []string{}
	}
	if cl.DefaultCapacityProviderStrategy == nil {
		cl.DefaultCapacityProviderStrategy = []json.RawMessage{}
	}
	doc, err := json.Marshal(cl)
	if err != nil {
		return nil, err
	}
	tags, _ := json.Marshal(cl.Tags)
	var stored string
	err = s.db.Write(c, func(tx *state.Tx) error {
		if _, err := tx.Exec(`INSERT INTO ecs_clusters (account, region, name, doc, tags) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, c.Account, c.Region, name, string(doc), string(tags)); err != nil {
			return err
		}
		var t string
		if err := tx.QueryRow(`SELECT doc, tags FROM ecs_clusters WHERE account=? AND region=? AND name=?`,
			c.Account, c.Region, name).Scan(&stored, &t); err != nil {
			return err
		}
		stored, err = withTags(stored, t)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &clusterOut{Cluster: json.RawMessage(stored)}, nil
}

// withTags puts the cluster's current tags into its stored document.
func withTags(doc, tags string) (string, error) {
	m, err := decodeObject([]byte(doc))
	if err != nil {
		return "", err
	}
	m["tags"] = json.RawMessage(tags)
	b, err := json.Marshal(m)
	return string(b), err
}

type listClustersIn struct {
	NextToken  *string `json:"nextToken"`
	MaxResults *int    `json:"maxResults"`
}

type listClustersOut struct {
	ClusterArns []string `json:"clusterArns"`
	NextToken   *string  `json:"nextToken,omitempty"`
}

func (s *service) listClusters(c *awsapi.Context, in *listClustersIn) (*listClustersOut, error) {
	limit, err := pageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	q := `SELECT name FROM ecs_clusters WHERE account=? AND region=?`
	args := []any{c.Account, c.Region}
	if tok := str(in.NextToken); tok != "" {
		key, ok := awsapi.DecodeToken(tok)
		if !ok {
			return nil, errBadToken
		}
		q += ` AND name > ?`
		args = append(args, key)
	}
	q += ` ORDER BY name LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.db.Read().QueryContext(c, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &listClustersOut{ClusterArns: []string{}}
	var last string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		if len(out.ClusterArns) == limit {
			tok := awsapi.EncodeToken(last)
			out.NextToken = &tok
			break
		}
		out.ClusterArns = append(out.ClusterArns, clusterARN(c, name))
		last = name
	}
	return out, rows.Err()
}

type describeClustersIn struct {
	Clusters []string `json:"clusters"`
	Include  []string `json:"include"`
}

type describeClustersOut struct {
	Clusters []json.RawMessage `json:"clusters"`
	Failures []failure         `json:"failures"`
}

// clusterName reads a cluster name or ARN; ok is false for an ARN of another
// account, region or service.
func clusterName(c *awsapi.Context, s string) (string, bool) {
	if !strings.HasPrefix(s, "arn:") {
		return s, true
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[2] != "ecs" || parts[3] != c.Region || parts[4] != c.Account || !strings.HasPrefix(parts[5], "cluster/") {
		return "", false
	}
	return strings.TrimPrefix(parts[5], "cluster/"), true
}

func (s *service) describeClusters(c *awsapi.Context, in *describeClustersIn) (*describeClustersOut, error) {
	if err := checkInclude(in.Include, []string{"ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS"}); err != nil {
		return nil, err
	}
	ids := in.Clusters
	if len(ids) == 0 {
		ids = []string{"default"}
	}
	if len(ids) > 100 {
		return nil, errInvalid("clusters can have at most 100 items.")
	}
	withTagsToo := false
	for _, inc := range in.Include {
		if inc == "TAGS" {
			withTagsToo = true
		}
	}
	out := &describeClustersOut{Clusters: []json.RawMessage{}, Failures: []failure{}}
	for _, id := range ids {
		name, ok := clusterName(c, id)
		var doc, tags string
		var err error
		if ok {
			err = s.db.Read().QueryRowContext(c, `SELECT doc, tags FROM ecs_clusters WHERE account=? AND region=? AND name=?`,
				c.Account, c.Region, name).Scan(&doc, &tags)
		}
		if !ok || isNoRows(err) {
			arn := id
			if ok {
				arn = clusterARN(c, name)
			}
			out.Failures = append(out.Failures, failure{Arn: arn, Reason: "MISSING"})
			continue
		}
		if err != nil {
			return nil, err
		}
		m, err := decodeObject([]byte(doc))
		if err != nil {
			return nil, err
		}
		// Describe leaves tags out unless asked for them.
		delete(m, "tags")
		if withTagsToo {
			m["tags"] = json.RawMessage(tags)
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out.Clusters = append(out.Clusters, b)
	}
	return out, nil
}
