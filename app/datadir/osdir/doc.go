// Package osdir knows where each OS wants an application's data, and where Pouch kept it
// before: one small file per OS, without cgo, so it is vetted for every OS from any machine.
package osdir
