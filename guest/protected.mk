# The protected-VM test guests (guest/isolation, guest/race).  guest/build.mk
# already builds every guest/<name>/ directory; this names the two so that
# `make protected-guests` builds just what the protected suite
# (tests/qemu/protected/run.sh) boots.
PROTECTED_GUESTS := $(O)/guest/isolation.bin $(O)/guest/race.bin
.PHONY: protected-guests
protected-guests: $(PROTECTED_GUESTS) $(O)/hyp/vhyp.bin
