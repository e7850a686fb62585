# lib/: the freestanding support library shared by the hypervisor, the
# guest runtime, the guest library and every test guest (docs/support-library.md).
# The top-level Makefile's rules build it; this fragment lists the sources
# and sets their flags.  Two builds:
#   aarch64  one object set for the hypervisor (LIB_HYP_OBJS, linked into
#            vhyp.bin) and the guests (LIB_GUEST_OBJS, in libguest.a):
#            compiled with the hypervisor's code model (HYP_CODE_MODEL),
#            which a guest's fixed-address static link takes as it is
#            (PC-relative code, absolute pointers resolved at link time;
#            guest/rt/guest.lds's .data.* takes any .data.rel.ro).
#   host     for the host tests (LIB_HOST_OBJS), which use the C library's
#            string functions instead of lib/string.c.
# -Wconversion as for core/: the reader and the parser take untrusted input.
LIB_PORTABLE_SRCS := lib/fdt.c lib/fmt.c lib/log.c lib/parse.c
LIB_SRCS := $(LIB_PORTABLE_SRCS) lib/string.c
LIB_FLAGS := -Wconversion -Wsign-conversion

LIB_CROSS_OBJS := $(patsubst %,$(O)/aarch64/%.o,$(LIB_SRCS))
$(O)/aarch64/lib/%: OBJ_FLAGS = $(INCLUDES) $(LIB_FLAGS) $(HYP_CODE_MODEL)
LIB_HYP_OBJS := $(LIB_CROSS_OBJS)
LIB_GUEST_OBJS := $(LIB_CROSS_OBJS)

LIB_HOST_OBJS := $(patsubst %.c,$(O)/host/%.o,$(LIB_PORTABLE_SRCS))
$(O)/host/lib/%: OBJ_FLAGS = $(LIB_FLAGS) -ffreestanding
