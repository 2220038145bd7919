package ssgan

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
	"github.com/ssgan-go/ssgan-go/ssgan/run"
)

// checkpointMagic starts every checkpoint. v2 holds the trained weights and the improved recipe's batch
// order, so a run resumes exactly from it; v1 (before one model type) held the improved recipe's
// averaged weights in place of the trained ones: it still evaluates, but cannot resume.
const (
	checkpointMagic   = "ssgan-go checkpoint v2\n"
	checkpointMagicV1 = "ssgan-go checkpoint v1\n"
)

// checkpointBody is what a checkpoint file holds: the configuration that rebuilds the networks, how far
// training got, every variable of the store (weights, BN statistics, Adam moments, learning rates,
// random state, the improved recipe's weight averages), and the state of the generator that draws the
// improved recipe's batches, so training can resume and evaluation reproduces the same accuracy.
type checkpointBody struct {
	Config TrainConfig
	Epoch  int
	Vars   []savedVar
	Order  []byte // The improved recipe's batch order (rand.PCG's MarshalBinary); empty for the course's.

	version int    // Of the file's format (not saved in the body).
	path    string // Where it was read from.
}

type savedVar struct {
	Path      string
	Trainable bool
	DType     string
	Dims      []int
	F32       []float32
	F64       []float64
	I32       []int32
	I64       []int64
	U64       []uint64
}

// SaveCheckpoint writes the model to path (a file such as OUT/best.ssgan, or a directory, for its
// checkpoint.ssgan): magic line, SHA-256 of the body, gob body. It writes a temporary file and renames
// it into place, so an interrupted save keeps the previous checkpoint.
func (m *Model) SaveCheckpoint(path string, epoch int) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, run.CheckpointFile)
	}
	order, err := m.recipe.order()
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	ck := checkpointBody{Config: m.Config, Epoch: epoch, Order: order}
	for v := range m.Store.IterVariables() {
		t, err := v.Value()
		if err != nil {
			return fmt.Errorf("checkpoint: variable %s: %w", v.Path(), err)
		}
		sv := savedVar{Path: v.Path(), Trainable: v.Trainable, DType: t.DType().String(), Dims: t.Shape().Dimensions}
		switch t.DType() {
		case dtypes.Float32:
			sv.F32 = tensors.MustCopyFlatData[float32](t)
		case dtypes.Float64:
			sv.F64 = tensors.MustCopyFlatData[float64](t)
		case dtypes.Int32:
			sv.I32 = tensors.MustCopyFlatData[int32](t)
		case dtypes.Int64:
			sv.I64 = tensors.MustCopyFlatData[int64](t)
		case dtypes.Uint64:
			sv.U64 = tensors.MustCopyFlatData[uint64](t)
		default:
			return fmt.Errorf("checkpoint: variable %s has unsupported dtype %s", v.Path(), t.DType())
		}
		ck.Vars = append(ck.Vars, sv)
	}
	var body bytes.Buffer
	if err := gob.NewEncoder(&body).Encode(&ck); err != nil {
		return fmt.Errorf("checkpoint: encode: %w", err)
	}
	sum := sha256.Sum256(body.Bytes())
	var out bytes.Buffer
	out.WriteString(checkpointMagic)
	out.Write(sum[:])
	out.Write(body.Bytes())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return data.WriteFileAtomic(path, out.Bytes())
}

func readCheckpoint(dir string) (*checkpointBody, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, run.CheckpointFile)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no checkpoint at %s", path)
		}
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	version := 2
	switch {
	case bytes.HasPrefix(raw, []byte(checkpointMagic)):
	case bytes.HasPrefix(raw, []byte(checkpointMagicV1)):
		version = 1
	default:
		return nil, fmt.Errorf("%s: not an ssgan checkpoint", path)
	}
	raw = raw[len(checkpointMagic):]
	if len(raw) < sha256.Size {
		return nil, fmt.Errorf("%s: truncated checkpoint", path)
	}
	want, body := raw[:sha256.Size], raw[sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], want) {
		return nil, fmt.Errorf("%s: checkpoint is corrupt or truncated (checksum mismatch)", path)
	}
	var ck checkpointBody
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&ck); err != nil {
		return nil, fmt.Errorf("%s: decode checkpoint: %w", path, err)
	}
	ck.version, ck.path = version, path
	return &ck, nil
}

// Checkpoint is a verified checkpoint read from disk (LoadCheckpoint rebuilds its model).
type Checkpoint struct{ ck *checkpointBody }

// OpenCheckpoint reads and verifies the checkpoint in dir (a directory or the file itself).
func OpenCheckpoint(dir string) (*Checkpoint, error) {
	ck, err := readCheckpoint(dir)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{ck: ck}, nil
}

// Config is the training configuration the checkpoint was made with.
func (c *Checkpoint) Config() TrainConfig { return c.ck.Config }

// Epoch is the number of epochs trained when it was saved.
func (c *Checkpoint) Epoch() int { return c.ck.Epoch }

// Resumable says whether training can continue from the checkpoint exactly where it stopped (the
// current format; see checkpointMagic), or why not.
func (c *Checkpoint) Resumable() error {
	if c.ck.version < 2 {
		return fmt.Errorf("%s was written by an earlier version of ssgan-go (format v%d, without the state a resume needs): it can be evaluated but not resumed", c.ck.path, c.ck.version)
	}
	return nil
}

// LoadCheckpoint rebuilds the model saved in a checkpoint (a training run's directory, for its last
// epoch, or a checkpoint file such as best.ssgan) with the reference pieces: any recipe, any networks.
// The model predicts with the weights the run tested (the improved recipe's averages) and can train on.
func LoadCheckpoint(backend compute.Backend, path string) (*Model, *Checkpoint, error) {
	ck, err := OpenCheckpoint(path)
	if err != nil {
		return nil, nil, err
	}
	m, err := ck.Model(backend)
	return m, ck, err
}

// Model rebuilds the checkpoint's model on backend (see LoadCheckpoint).
func (c *Checkpoint) Model(backend compute.Backend) (*Model, error) {
	return c.ModelWith(backend, ReferencePieces())
}

// ModelWith rebuilds the checkpoint's model with the given pieces (a notebook's own cells, say) and
// restores its variables into it: the pieces must build the same variables the run trained.
func (c *Checkpoint) ModelWith(backend compute.Backend, p Pieces) (*Model, error) {
	m, err := NewModel(backend, c.Config(), p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.ck.path, err)
	}
	if err := c.restore(m); err != nil {
		return nil, fmt.Errorf("%s: %w", c.ck.path, err)
	}
	return m, nil
}

// restore sets every saved variable in m's store (creating those the store does not have yet), and the
// state that lives outside it: the improved recipe's weight averages and batch order.
func (c *Checkpoint) restore(m *Model) error {
	for _, sv := range c.ck.Vars {
		if err := sv.check(); err != nil {
			return fmt.Errorf("restore %s: %w", sv.Path, err)
		}
		var t *tensors.Tensor
		switch {
		case sv.F32 != nil:
			t = tensors.FromFlatDataAndDimensions(sv.F32, sv.Dims...)
		case sv.F64 != nil:
			t = tensors.FromFlatDataAndDimensions(sv.F64, sv.Dims...)
		case sv.I32 != nil:
			t = tensors.FromFlatDataAndDimensions(sv.I32, sv.Dims...)
		case sv.I64 != nil:
			t = tensors.FromFlatDataAndDimensions(sv.I64, sv.Dims...)
		case sv.U64 != nil:
			t = tensors.FromFlatDataAndDimensions(sv.U64, sv.Dims...)
		default:
			t = tensors.FromShape(shapes.Make(dtypeOf(sv.DType), sv.Dims...)) // An empty variable.
		}
		if v := m.Store.GetVariable(sv.Path); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("restore %s: %w", sv.Path, err)
			}
			continue
		}
		m.Store.VariableWithValue(sv.Path, t).SetTrainable(sv.Trainable)
	}
	return m.recipe.restore(m, c.ck.Order)
}

// check says whether the saved values fit the saved dimensions (a checkpoint can pass its checksum and
// still be inconsistent, if it was written by other code).
func (sv savedVar) check() error {
	n := 1
	for _, d := range sv.Dims {
		if d < 0 || (d > 0 && n > (1<<40)/d) {
			return fmt.Errorf("dimensions %v are not valid", sv.Dims)
		}
		n *= d
	}
	got := -1
	switch {
	case sv.F32 != nil:
		got = len(sv.F32)
	case sv.F64 != nil:
		got = len(sv.F64)
	case sv.I32 != nil:
		got = len(sv.I32)
	case sv.I64 != nil:
		got = len(sv.I64)
	case sv.U64 != nil:
		got = len(sv.U64)
	}
	if got < 0 {
		got = 0 // No values saved: only a variable of no elements may say so.
	}
	if got != n {
		return fmt.Errorf("%d values for dimensions %v (want %d): the checkpoint is inconsistent", got, sv.Dims, n)
	}
	return nil
}

func dtypeOf(name string) dtypes.DType {
	d, err := dtypes.DTypeString(name)
	if err != nil {
		return dtypes.Float32
	}
	return d
}
