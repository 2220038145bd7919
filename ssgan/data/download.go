package data

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// RemoteFile describes a file to download and how to recognise a good copy of it.
type RemoteFile struct {
	Name string // File name inside the data directory.
	Size int64  // Exact size in bytes.
	MD5  string // Hex MD5 of the whole file.
}

// SVHNBaseURL is the official home of the SVHN "cropped digits" files.
const SVHNBaseURL = "http://ufldl.stanford.edu/housenumbers/"

// SVHNFiles are the two files the lesson uses, with the sizes and checksums published for them.
var SVHNFiles = []RemoteFile{
	{Name: TrainFile, Size: 182040794, MD5: "e26dedcc434d2e4c54c9b2d4a06d8373"},
	{Name: TestFile, Size: 64275384, MD5: "eb5a983be6a315427106f1b164d9cef3"},
}

// Downloader fetches files into a data directory. The zero value is not usable: set BaseURL.
type Downloader struct {
	BaseURL  string       // Joined with RemoteFile.Name.
	Client   *http.Client // nil: http.DefaultClient.
	Progress io.Writer    // Where the progress bar goes; nil: no progress bar.
}

// EnsureSVHN downloads the SVHN files missing from dir from the official site, with a progress bar on w.
// A file already there is left alone: a download only ever reaches its final name after its size and
// MD5 were checked, and a file put there by hand (a subset, another tool's export) is checked by the
// .mat reader when it is loaded.
func EnsureSVHN(ctx context.Context, dir string, w io.Writer) error {
	d := &Downloader{BaseURL: SVHNBaseURL, Progress: w}
	for _, f := range SVHNFiles {
		if err := d.Ensure(ctx, dir, f); err != nil {
			return err
		}
	}
	return nil
}

// SVHNReachable says, within timeout, whether the official SVHN site answers for the training file: a
// notebook asks it before starting a 240 MB download, and works offline on generated digits when not.
func SVHNReachable(ctx context.Context, timeout time.Duration) error {
	return (&Downloader{BaseURL: SVHNBaseURL}).Reachable(ctx, SVHNFiles[0], timeout)
}

// Reachable asks the server, with a HEAD request that must answer within timeout, whether it serves f
// (status 200 and, when the server states it, f's exact size). It downloads nothing.
func (d *Downloader) Reachable(ctx context.Context, f RemoteFile, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := strings.TrimSuffix(d.BaseURL, "/") + "/" + f.Name
	resp, err := d.do(ctx, http.MethodHead, url)
	if err != nil {
		return fmt.Errorf("%s not reachable within %v: %w", url, timeout, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: server answered %s", url, resp.Status)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != f.Size {
		return fmt.Errorf("%s: server offers %d bytes, want %d", url, resp.ContentLength, f.Size)
	}
	return nil
}

// Ensure makes sure dir holds a good copy of f, downloading it if it is missing.
//
// The download goes to a temporary file in dir; its size and MD5 are checked and only then is it
// renamed into place. A partial or corrupt download is deleted and never used.
func (d *Downloader) Ensure(ctx context.Context, dir string, f RemoteFile) error {
	dest := filepath.Join(dir, f.Name)
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create data directory %s: %w", dir, err)
	}
	url := strings.TrimSuffix(d.BaseURL, "/") + "/" + f.Name
	tmp, err := CreateTempBeside(dir, f.Name, "part")
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	defer os.Remove(tmp.Name()) // Gone after the rename, or on any failure.
	err = d.fetch(ctx, url, f, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("download %s to %s: %w", url, dest, err)
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	return nil
}

func (d *Downloader) fetch(ctx context.Context, url string, f RemoteFile, out *os.File) error {
	resp, err := d.do(ctx, http.MethodGet, url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("server answered %s", resp.Status)
	}
	hash := md5.New()
	w := io.MultiWriter(out, hash)
	if d.Progress != nil {
		bar := progressbar.NewOptions64(f.Size,
			progressbar.OptionSetWriter(d.Progress),
			progressbar.OptionSetDescription(f.Name),
			progressbar.OptionShowBytes(true),
			progressbar.OptionThrottle(200_000_000), // 0.2 s between redraws.
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(d.Progress) }),
		)
		w = io.MultiWriter(w, bar)
	}
	// Read at most one byte more than expected, so an oversized answer is caught without reading it all.
	n, err := io.Copy(w, io.LimitReader(resp.Body, f.Size+1))
	if err != nil {
		return fmt.Errorf("connection broke after %d of %d bytes: %w", n, f.Size, err)
	}
	if n != f.Size {
		return fmt.Errorf("got %d bytes, want %d (truncated or wrong file)", n, f.Size)
	}
	if got := hex.EncodeToString(hash.Sum(nil)); got != f.MD5 {
		return fmt.Errorf("MD5 %s, want %s (corrupt download)", got, f.MD5)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return nil
}

// do sends one request with the downloader's client.
func (d *Downloader) do(ctx context.Context, method, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return nil, err
	}
	client := d.Client
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}
