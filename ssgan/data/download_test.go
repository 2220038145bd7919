package data

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDownloader(t *testing.T) {
	payload := bytes.Repeat([]byte("svhn"), 5000)
	sum := md5.Sum(payload)
	good := RemoteFile{Name: "good.mat", Size: int64(len(payload)), MD5: hex.EncodeToString(sum[:])}
	offline := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if offline {
			http.Error(w, "offline", http.StatusServiceUnavailable)
			return
		}
		switch r.URL.Path {
		case "/good.mat":
			w.Write(payload)
		case "/truncated.mat":
			w.Write(payload[:len(payload)/2])
		case "/wrong.mat":
			bad := append([]byte{}, payload...)
			bad[10] ^= 1
			w.Write(bad)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	var progress bytes.Buffer
	d := &Downloader{BaseURL: srv.URL, Progress: &progress}
	dir := t.TempDir()

	if err := d.Ensure(context.Background(), dir, good); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "good.mat"))
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("downloaded file wrong (err %v)", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "good.mat")); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != fileMode {
		t.Errorf("downloaded file mode %v, want %v: readable by all, like any data file", fi.Mode().Perm(), os.FileMode(fileMode))
	}
	if !strings.Contains(progress.String(), "good.mat") {
		t.Errorf("no progress bar written: %q", progress.String())
	}
	// A file already there is not fetched again: the server would now serve nothing for it.
	offline = true
	if err := d.Ensure(context.Background(), dir, good); err != nil {
		t.Fatalf("existing file re-fetched: %v", err)
	}
	offline = false

	for _, tc := range []struct{ name, want string }{
		{"truncated.mat", "want 20000"},
		{"wrong.mat", "MD5"},
		{"missing.mat", "404"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			f.Name = tc.name
			err := d.Ensure(context.Background(), dir, f)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
				t.Fatalf("error %v: want one naming %s and saying %q", err, tc.name, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, tc.name)); !os.IsNotExist(err) {
				t.Errorf("a bad download was left at its final name")
			}
		})
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only good.mat (no partial files left)", len(entries))
	}
}

// Reachable answers quickly, downloads nothing, and says why a server will not do.
func TestReachable(t *testing.T) {
	f := RemoteFile{Name: "train.mat", Size: 1234}
	release := make(chan struct{})
	var gets int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodHead {
			gets++
		}
		switch r.URL.Path {
		case "/ok/train.mat":
			w.Header().Set("Content-Length", "1234")
		case "/size/train.mat":
			w.Header().Set("Content-Length", "99")
		case "/slow/train.mat":
			<-release
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	defer close(release) // Before srv.Close, which waits for the slow handler.
	for _, tc := range []struct {
		path, wantErr string
	}{
		{"/ok", ""},
		{"/size", "offers 99 bytes, want 1234"},
		{"/missing", "404"},
		{"/slow", "not reachable within"},
	} {
		err := (&Downloader{BaseURL: srv.URL + tc.path}).Reachable(context.Background(), f, 200*time.Millisecond)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.path, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.path, err, tc.wantErr)
		}
	}
	if gets != 0 {
		t.Errorf("Reachable sent %d requests other than HEAD", gets)
	}
}
