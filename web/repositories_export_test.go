package web

import "testing"

// RepositoryAPI is what the repository pages use, for tests that wrap it.
type RepositoryAPI = repositoryAPI

// OverrideRepositoryAPI wraps the repository API of one server for the
// length of a test, to provoke AWS answers the emulator does not give.
func OverrideRepositoryAPI(t testing.TB, s *Server, wrap func(RepositoryAPI) RepositoryAPI) {
	ecrOverrides.Store(s, wrap)
	t.Cleanup(func() { ecrOverrides.Delete(s) })
}
