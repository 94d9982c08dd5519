package zipbundle

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDOSTime(t *testing.T) {
	type dos struct{ Date, Clock uint16 }
	tests := []struct {
		name string
		in   time.Time
		want dos
	}{
		{name: "zero time clamps to 1980", in: time.Time{}, want: dos{Date: 1<<5 | 1, Clock: 0}},
		{name: "unix epoch clamps to 1980", in: time.Unix(0, 0), want: dos{Date: 1<<5 | 1, Clock: 0}},
		{name: "1980-01-01", in: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), want: dos{Date: 1<<5 | 1}},
		{name: "SOURCE_DATE_EPOCH, odd second rounds down", in: time.Unix(1700000001, 0),
			want: dos{Date: 43<<9 | 11<<5 | 14, Clock: 22<<11 | 13<<5 | 10}},
		{name: "other zone taken in UTC", in: time.Date(2024, 3, 1, 1, 30, 0, 0, time.FixedZone("X", 2*3600)),
			want: dos{Date: 44<<9 | 2<<5 | 29, Clock: 23<<11 | 30<<5}},
		{name: "after 2107 clamps", in: time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
			want: dos{Date: 127<<9 | 12<<5 | 31, Clock: 23<<11 | 59<<5 | 29}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got dos
			got.Date, got.Clock = dosTime(tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("dosTime(%v) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
