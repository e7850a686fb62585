# Host unit tests (cmocka, ASan + UBSan).  Every tests/unit/test_*.c is one
# test binary, linked with the host build of core/ and the fakes in
# tests/unit/support/ (hardware operations only, never the logic under test).
# The guest library's tests (test_guestlib*.c) also link its host build
# (guest/build.mk).
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_SUPPORT_SRCS := $(sort $(wildcard tests/unit/support/*.c))
UNIT_SUPPORT_OBJS := $(patsubst %.c,$(O)/host/%.o,$(UNIT_SUPPORT_SRCS))
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/host/tests/unit/%,$(UNIT_SRCS))
$(O)/host/tests/unit/%: OBJ_FLAGS = -Itests/unit/support -Iguest/include

$(O)/host/tests/unit/test_%: $(O)/host/tests/unit/test_%.o $(UNIT_SUPPORT_OBJS) $(CORE_HOST_OBJS) \
		$(LIB_HOST_OBJS)
	$(host_test_link)

ALL_TARGETS += $(UNIT_BINS)
TEST_SUITES += $(UNIT_BINS)

.PHONY: unit
unit: $(UNIT_BINS)
	@scripts/run-tests.sh $(UNIT_BINS)
