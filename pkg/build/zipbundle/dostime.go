package zipbundle

import "time"

// dosTime encodes t (taken in UTC) as an MS-DOS date and time, the only timestamp the bundles
// carry. Times before 1980 or after 2107 are clamped; seconds are rounded down to even.
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	if first := defaultModTime(); t.Before(first) {
		t = first
	}
	if last := time.Date(2107, time.December, 31, 23, 59, 58, 0, time.UTC); t.After(last) {
		t = last
	}
	date = uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
	clock = uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2)
	return date, clock
}
