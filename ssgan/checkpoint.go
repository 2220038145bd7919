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
	"github.com/gomlx/gomlx/ml/model"

	"github.com/ssgan-go/ssgan-go/ssgan/data"
)

// CheckpointFile is the checkpoint's name inside a checkpoint (output) directory: the last epoch's.
const CheckpointFile = "checkpoint.ssgan"

// BestCheckpointFile is the checkpoint of the epoch with the best validation accuracy (model selection
// on the validation split the course kept but never used). Pass its path to eval or predict as -ckpt.
const BestCheckpointFile = "best.ssgan"

const checkpointMagic = "ssgan-go checkpoint v1\n"

// checkpoint is what a checkpoint file holds: the configuration that rebuilds the networks, how far
// training got, and every variable of the store (weights, BN statistics, Adam moments, learning rates,
// random state), so training can resume and evaluation reproduces the same accuracy.
type checkpoint struct {
	Config TrainConfig
	Epoch  int
	Vars   []savedVar
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

// SaveCheckpoint writes the model to dir/checkpoint.ssgan: magic line, SHA-256 of the body, gob body.
// It writes a temporary file and renames it into place, so an interrupted save keeps the previous checkpoint.
func (m *Model) SaveCheckpoint(dir string, epoch int) error {
	return saveStore(dir, m.Store, m.Config, epoch)
}

// saveStore writes every variable of store to dir/CheckpointFile, with the configuration that rebuilds
// its networks.
func saveStore(dir string, store *model.Store, cfg TrainConfig, epoch int) error {
	return saveStoreAs(filepath.Join(dir, CheckpointFile), store, cfg, epoch)
}

// saveStoreAs is saveStore to any file name.
func saveStoreAs(path string, store *model.Store, cfg TrainConfig, epoch int) error {
	ck := checkpoint{Config: cfg, Epoch: epoch}
	for v := range store.IterVariables() {
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

func readCheckpoint(dir string) (*checkpoint, error) {
	path := dir
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		path = filepath.Join(dir, CheckpointFile)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no checkpoint at %s", path)
		}
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	if !bytes.HasPrefix(raw, []byte(checkpointMagic)) {
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
	var ck checkpoint
	if err := gob.NewDecoder(bytes.NewReader(body)).Decode(&ck); err != nil {
		return nil, fmt.Errorf("%s: decode checkpoint: %w", path, err)
	}
	return &ck, nil
}

// Checkpoint is a verified checkpoint read from disk. Build a model from its Config (NewModel), then
// Restore sets the model's variables; see LoadModel.
type Checkpoint struct{ ck *checkpoint }

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

// Restore sets every saved variable in m's store.
func (c *Checkpoint) Restore(m *Model) error { return c.RestoreStore(m.Store) }

// RestoreStore sets every saved variable in store (creating those the store does not have yet).
func (c *Checkpoint) RestoreStore(store *model.Store) error {
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
		if v := store.GetVariable(sv.Path); v != nil {
			if err := v.SetValue(t); err != nil {
				return fmt.Errorf("restore %s: %w", sv.Path, err)
			}
			continue
		}
		store.VariableWithValue(sv.Path, t).SetTrainable(sv.Trainable)
	}
	return nil
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
	if got >= 0 && got != n {
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

// LoadModel rebuilds the model saved in a checkpoint directory, with the reference pieces.
func LoadModel(backend compute.Backend, dir string) (*Model, *Checkpoint, error) {
	ck, err := OpenCheckpoint(dir)
	if err != nil {
		return nil, nil, err
	}
	m, err := NewModel(backend, ck.Config(), ReferencePieces())
	if err != nil {
		return nil, nil, err
	}
	if err := ck.Restore(m); err != nil {
		return nil, nil, err
	}
	return m, ck, nil
}
