# lib/: the freestanding support library shared by the hypervisor, the
# guest runtime, the guest library and every test guest (docs/support-library.md).
# One source list, three flavours: the hypervisor's (position independent,
# hidden symbols: linked into vhyp.bin), the guests' (linked into
# libguest.a) and the host's (linked into the host tests, which use the C
# library's string functions instead of lib/string.c).
LIB_PORTABLE_SRCS := lib/fdt.c lib/fmt.c lib/log.c lib/parse.c
LIB_SRCS := $(LIB_PORTABLE_SRCS) lib/string.c

LIB_HYP_OBJS := $(patsubst %.c,$(O)/hyp-obj/%.o,$(LIB_SRCS))
LIB_GUEST_OBJS := $(patsubst %,$(O)/guest-obj/%.o,$(LIB_SRCS))
LIB_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(LIB_PORTABLE_SRCS))

$(O)/hyp-obj/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(HYP_CFLAGS) -MMD -MP -c $< -o $@
$(O)/guest-obj/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CROSS_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@
# -Wconversion as for core/: the reader and the parser take untrusted input.
$(O)/host/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Wconversion -Wsign-conversion -ffreestanding \
		-c $< -o $@

-include $(LIB_HYP_OBJS:.o=.d) $(LIB_GUEST_OBJS:.o=.d) $(LIB_HOST_OBJS:.o=.d)
