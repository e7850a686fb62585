#!/usr/bin/env bash
# The disk benchmark (`make bench` runs it; docs/benchmarks.md): sequential
# O_DIRECT write and read of 256 MiB of /dev/vda with dd inside a Linux
# guest (bench/disk/init), in one run:
#
#   direct_debian   Debian's kernel (tests/linux) at EL1, no hypervisor,
#                   QEMU's own virtio-blk (virtio-mmio) on the same file
#   vhyp_normal     the same kernel as a normal VM under vhyp (--disk:
#                   vhyp's virtio-blk, forwarded to a QEMU device only EL2
#                   drives, hyp/devices/qemu_disk.c)
#   direct_pkvm     the pKVM guest kernel (tests/pkvm-linux) at EL1
#   vhyp_protected  that kernel as a protected VM under vhyp (--disk; its
#                   virtio goes through the restricted DMA pool and
#                   swiotlb bounce buffers)
#
# Wall-clock throughput (no -icount: it would measure instructions, not
# the host's I/O path).  Each guest does write, read three times; the
# figure is the median of the three, in MiB/s.  Writes docs/bench/disk.csv
# and docs/bench/disk.png.
#
# Environment: BENCH_DISK_RUNS (default: all four), BENCH_OUT, O.
# `bench/disk.sh --plot` redraws the PNG from the CSV.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
O=${O:-build}
case $O in /*) ;; *) O=$REPO/$O ;; esac
OUT=${BENCH_OUT:-$REPO/docs/bench}
RUNS=$O/bench/disk-runs
read -r -a RUN_NAMES <<<"${BENCH_DISK_RUNS:-direct_debian vhyp_normal direct_pkvm vhyp_protected}"
MEM=512M
SMP=2
TIMEOUT=900
DISK_MIB=272

log() { echo "bench-disk: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# The initramfs: busybox (the project's cache), bench/disk/init, Debian's
# virtio modules (the pKVM kernel has them built in).
build_initramfs() {
	local kdir=$1 out=$2 root a
	root=$(mktemp -d "$RUNS/.initramfs.XXXXXX")
	mkdir -p "$root"/{bin,dev,proc,sys,lib/modules}
	cp "$(tests/linux/busybox.sh)" "$root/bin/busybox"
	for a in sh echo cat mount insmod poweroff sleep dd tail uname; do
		ln -s busybox "$root/bin/$a"
	done
	install -m 755 bench/disk/init "$root/init"
	cp "$kdir"/modules/* "$root/lib/modules/"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible | gzip -9n) >"$out"
	rm -rf "$root"
}

direct() { # direct IMAGE CONSOLE
	timeout "$TIMEOUT" qemu-system-aarch64 \
		-M virt,virtualization=off,gic-version=3 -cpu max -m "$MEM" \
		-smp "$SMP" -nographic -nic none -kernel "$1" -initrd "$INITRD" \
		-append "console=ttyAMA0 rdinit=/init" \
		-drive "if=none,id=d,file=$DISK,format=raw,cache=writeback" \
		-device virtio-blk-device,drive=d </dev/null
}

vhyp_run() { # vhyp_run IMAGE CONSOLE [--protected]
	./vhyp run --kernel "$1" --initrd "$INITRD" --smp "$SMP" --mem "$MEM" \
		--disk "$DISK" --append "console=$2 rdinit=/init" \
		--timeout "$TIMEOUT" "${@:3}" </dev/null
}

run_one() {
	local name=$1 t0
	truncate -s 0 "$DISK"
	truncate -s "${DISK_MIB}M" "$DISK"
	t0=$(date +%s)
	case $name in
	direct_debian) direct "$DEBIAN/Image" ;;
	vhyp_normal) vhyp_run "$DEBIAN/Image" ttyAMA0 ;;
	direct_pkvm) direct "$PKVM/Image" ;;
	vhyp_protected) vhyp_run "$PKVM/Image" hvc0 --protected ;;
	*) die "unknown run $name" ;;
	esac >"$RUNS/$name.out" 2>&1 || true
	if grep -q '^disk-bench: done' "$RUNS/$name.out"; then
		log "$name: done in $(($(date +%s) - t0)) s"
	else
		log "$name: FAILED (see $RUNS/$name.out)"
	fi
}

# mibs RUN write|read: the median of the three passes, MiB/s, one decimal
# (256 MiB over the guest's /proc/uptime difference; a pass that did not
# move all 256 records counts as missing).
mibs() {
	[ -f "$RUNS/$1.out" ] || return 0
	tr -d '\r' <"$RUNS/$1.out" |
		sed -n "s/^disk-bench: $2 [0-9] \([0-9.]*\) \([0-9.]*\) 256+0 records .*/\1 \2/p" |
		awk '$2 > $1 { print 256 / ($2 - $1) }' | sort -n |
		awk '{ v[NR] = $1 } END { if (NR == 3) printf "%.1f", v[2] }'
}

ratio() { # ratio A B
	[ -n "$1" ] && [ -n "$2" ] || return 0
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b }'
}

write_csv() {
	local dir dd vn dp vp
	echo "direction,direct_debian,vhyp_normal,direct_pkvm,vhyp_protected,normal_over_direct,protected_over_direct"
	for dir in write read; do
		dd=$(mibs direct_debian $dir) vn=$(mibs vhyp_normal $dir)
		dp=$(mibs direct_pkvm $dir) vp=$(mibs vhyp_protected $dir)
		echo "$dir,$dd,$vn,$dp,$vp,$(ratio "$vn" "$dd"),$(ratio "$vp" "$dp")"
	done
}

plot() {
	command -v gnuplot >/dev/null || {
		log "gnuplot missing: no PNG"
		return 0
	}
	gnuplot <<GP
set terminal pngcairo size 800,460 font "sans,10"
set output "$OUT/disk.png"
set datafile separator ","
set datafile missing ""
set datafile columnheaders
set termoption noenhanced
set title "Sequential O_DIRECT dd of 256 MiB, bs=1M (MiB/s, median of 3; higher is better)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set grid ytics
set key outside bottom center maxrows 2
plot "$OUT/disk.csv" using 2:xtic(1) title "Debian kernel at EL1, QEMU virtio-blk", \
     "" using 3 title "Debian kernel, vhyp normal VM", \
     "" using 4 title "pKVM guest kernel at EL1, QEMU virtio-blk", \
     "" using 5 title "pKVM guest kernel, vhyp protected VM"
GP
}

main() {
	local name t0
	if [ "${1:-}" = --plot ]; then # the PNG again from the CSV
		plot
		return
	fi
	t0=$(date +%s)
	mkdir -p "$RUNS" "$OUT"
	# What ./vhyp run needs (as `make run` builds it), in this O.
	make -s --no-print-directory O="$O" "$O/hyp/vhyp.bin" \
		"$O/tools/vhyp-console" "$O/tools/vhyp-features" >&2
	DEBIAN=$(tests/linux/kernel.sh)
	PKVM=$(tests/pkvm-linux/kernel.sh)
	INITRD=$RUNS/initramfs.cpio.gz
	DISK=$RUNS/disk.img
	build_initramfs "$DEBIAN" "$INITRD"
	log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	for name in "${RUN_NAMES[@]}"; do
		run_one "$name"
	done
	rm -f "$DISK"
	write_csv >"$OUT/disk.csv.new"
	mv "$OUT/disk.csv.new" "$OUT/disk.csv"
	plot
	echo
	echo "Disk throughput, MiB/s (dd 256 MiB, bs=1M, O_DIRECT; median of 3; wall clock, load $(cut -d' ' -f1-3 /proc/loadavg)):"
	column -t -s, -o '  ' <(sed 's/,,/,-,/g; s/,,/,-,/g; s/,$/,-/' "$OUT/disk.csv")
	echo "($(($(date +%s) - t0)) s)"
	grep -h 'vhyp: virtio-blk\|vhyp: host accesses' "$RUNS"/vhyp_*.out 2>/dev/null | tr -d '\r' || true
}

main "$@"
