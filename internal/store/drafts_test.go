package store

import (
	"context"
	"errors"
	"testing"
)

func TestTaskDefDraftsPerOwnerSurviveReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	id := NewTaskDefDraftID()
	d := TaskDefDraft{ID: id, Owner: "anonymous", Family: "scc", Form: []byte(`{"Family":"scc"}`)}
	if err := s.SaveTaskDefDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Family, d.Form = "scc2", []byte(`{"Family":"scc2"}`)
	if err := s.SaveTaskDefDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	// Another person cannot overwrite, read or delete it.
	if err := s.SaveTaskDefDraft(ctx, TaskDefDraft{ID: id, Owner: "mallory", Form: []byte(`{}`)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("other owner's save: %v", err)
	}
	if _, err := s.TaskDefDraft(ctx, "mallory", id); !errors.Is(err, ErrNotFound) {
		t.Errorf("other owner's read: %v", err)
	}
	if err := s.DeleteTaskDefDraft(ctx, "mallory", id); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveTaskDefDraft(ctx, TaskDefDraft{ID: NewTaskDefDraftID(), Owner: "anonymous", Family: "newer", Form: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s, err = OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.TaskDefDraft(ctx, "anonymous", id)
	if err != nil || got.Family != "scc2" || string(got.Form) != `{"Family":"scc2"}` || got.UpdatedAt.Before(got.CreatedAt) || got.CreatedAt.IsZero() {
		t.Fatalf("after reopen: %+v %v", got, err)
	}
	list, err := s.TaskDefDrafts(ctx, "anonymous", 10)
	if err != nil || len(list) != 2 || list[0].Family != "newer" {
		t.Errorf("list %+v %v", list, err)
	}
	if l, _ := s.TaskDefDrafts(ctx, "mallory", 10); len(l) != 0 {
		t.Errorf("mallory sees %d drafts", len(l))
	}
	if err := s.DeleteTaskDefDraft(ctx, "anonymous", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TaskDefDraft(ctx, "anonymous", id); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted draft: %v", err)
	}
}
