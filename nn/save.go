package nn

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Save writes the model's parameters to the file path in the safetensors
// format (see [Sequential.WriteTo]), atomically: it writes a temporary
// file in the same directory, syncs it to disk and renames it over path,
// so a failed or interrupted save leaves any previous file intact.
//
// A model with a parameter that is NaN or ±Inf is not saved: Save
// returns an error wrapping ErrNotFinite that names the tensor, before
// it creates any file. Load refuses such a file too.
func (s *Sequential) Save(path string) error {
	if err := s.checkFinite(); err != nil {
		return fmt.Errorf("nn.Sequential.Save: %w", err)
	}
	if err := writeAtomic(path, func(w io.Writer) error { _, err := s.WriteTo(w); return err }); err != nil {
		return fmt.Errorf("nn.Sequential.Save: %w", err)
	}
	return nil
}

// writeAtomic writes the file path with write: to a temporary file in
// the same directory, synced to disk and renamed over path, so that a
// failed or interrupted write leaves any previous file intact.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err = write(w); err != nil {
		return err
	}
	if err = w.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable. Not every system can sync a
	// directory (Windows cannot); the file is in place either way.
	if d, derr := os.Open(filepath.Dir(path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Load reads the model's parameters from a file that Save (or PyTorch's
// safetensors) wrote, with the checks of [Sequential.ReadFrom]: on error
// the model is unchanged. A file holding a NaN or ±Inf is refused.
func (s *Sequential) Load(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("nn.Sequential.Load: %w", err)
	}
	defer f.Close()
	if _, err := s.readFrom(bufio.NewReader(f)); err != nil {
		return fmt.Errorf("nn.Sequential.Load: %s: %w", path, err)
	}
	return nil
}
