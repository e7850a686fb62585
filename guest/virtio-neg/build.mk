# guest/virtio-neg: the negative test of vhyp's host-side virtio devices
# (descriptors pointing at a private granule).  guest/build.mk builds the
# guest itself ($(O)/guest/virtio-neg.bin); tests/pkvm-linux/virtio-neg.sh
# runs it.  It takes a few seconds, so it is part of `make test`.
TEST_SUITES += tests/pkvm-linux/virtio-neg.sh
.PHONY: virtio-neg-test
virtio-neg-test: $(O)/guest/virtio-neg.bin $(O)/hyp/vhyp.bin
	@scripts/run-tests.sh tests/pkvm-linux/virtio-neg.sh
