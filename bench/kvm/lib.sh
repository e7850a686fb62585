# shellcheck shell=bash
# Shared by the bench/kvm scripts: paths, toolchains, logging.

KVM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$KVM_DIR/../.." && pwd)
# What we build (kvmrun, init, test guest, initramfs images).  O, the
# build directory, may be relative to the repository or absolute.
case ${O:-build} in
/*) KVM_O=$O ;;
*) KVM_O=$REPO_DIR/${O:-build} ;;
esac
KVM_BUILD=${KVM_BUILD:-$KVM_O/bench/kvm}
CROSS_GCC=${CROSS_GCC:-aarch64-linux-gnu-gcc}
QEMU=${QEMU:-qemu-system-aarch64}

log() { echo "bench/kvm: $*" >&2; }
die() {
	log "error: $*"
	exit 1
}
