// kvmrun: runs one bare-metal arm64 guest Image under Linux KVM (/dev/kvm)
// and forwards its PL011 console to stdout.  It is the real-KVM peer of the
// hypercall benchmark: the same guest that runs under vhyp runs here, so
// both see the same hypercall sequence.
//
//   kvmrun [-p] [-n] [-m MiB] [-v] IMAGE
//     -p  create a protected VM (KVM_VM_TYPE_ARM_PROTECTED, needs
//         kvm-arm.mode=protected)
//     -n  no in-kernel vGICv3 (by default the VM has one, as every real VMM
//         gives its guests, so the world switch includes the GIC state)
//     -m  guest RAM in MiB (default 64), at IPA 0x40000000
//     -v  print the VM setup on stderr
//
// The guest gets no DTB: it is entered with x0 = 0, PSCI 0.2 over HVC, and
// the PL011 data register at 0x09000000 (QEMU virt's layout).  A guest that
// needs a DTB is not what this runner is for.
//
// Exit status: 0 when the guest powered off or reset (PSCI SYSTEM_OFF or
// SYSTEM_RESET), 1 on any other exit or setup error.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <sys/stat.h>
#include <unistd.h>
#include <vhyp/board.h>

// Newer than the cross libc's UAPI headers (pKVM protected VMs).
#ifndef KVM_VM_TYPE_ARM_PROTECTED
#define KVM_VM_TYPE_ARM_PROTECTED (1UL << 31)
#endif

#define RAM_BASE          0x40000000ULL
// Linux's boot protocol: a 2 MiB aligned base plus the Image's text_offset.
// The first 2 MiB stay free, as under QEMU (its boot stub lives there).
#define IMAGE_BASE_OFFSET 0x200000ULL

#define UART_BASE VHYP_BOARD_UART_BASE
#define UART_SIZE 0x1000ULL
#define UART_DR   0x00
#define UART_FR   0x18

// QEMU virt's GICv3 layout, so the guest sees the addresses it would there.
#define GICD_BASE VHYP_BOARD_GICD_BASE
#define GICR_BASE 0x080A0000ULL

struct options {
	const char *image;
	int protected_vm;
	int vgic;
	uint64_t ram_size;
	int verbose;
};

struct vm {
	int kvm_fd;
	int vm_fd;
	int vcpu_fd;
	uint8_t *ram;
	struct kvm_run *run;
};

static void die(const char *what)
{
	fprintf(stderr, "kvmrun: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void fail(const char *what)
{
	fprintf(stderr, "kvmrun: %s\n", what);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr, "usage: kvmrun [-p] [-n] [-m MiB] [-v] IMAGE\n");
	exit(1);
}

static struct options parse_options(int argc, char **argv)
{
	struct options o = {.vgic = 1, .ram_size = 64ULL << 20};
	int c;

	while ((c = getopt(argc, argv, "pnm:v")) != -1) {
		switch (c) {
		case 'p':
			o.protected_vm = 1;
			break;
		case 'n':
			o.vgic = 0;
			break;
		case 'm':
			o.ram_size = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'v':
			o.verbose = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1 || o.ram_size < (4ULL << 20))
		usage();
	o.image = argv[optind];
	return o;
}

static uint64_t read_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

// Reads the Image into guest RAM at IMAGE_BASE_OFFSET + text_offset and
// returns the guest physical entry point.
static uint64_t load_image(const struct options *o, uint8_t *ram)
{
	int fd = open(o->image, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die(o->image);

	uint8_t header[64];
	if (read(fd, header, sizeof(header)) != (ssize_t)sizeof(header))
		fail("image shorter than an arm64 Image header");
	if (memcmp(header + 56, "ARM\x64", 4) != 0)
		fail("not an arm64 Image (no ARM\\x64 magic)");
	// image_size == 0 marks a pre-3.17 header whose text_offset is
	// unreliable; the boot protocol then says to assume 0x80000.
	uint64_t text_offset = read_le64(header + 8);
	if (read_le64(header + 16) == 0)
		text_offset = 0x80000;

	uint64_t offset = IMAGE_BASE_OFFSET + text_offset;
	if ((uint64_t)st.st_size > o->ram_size ||
	    offset > o->ram_size - (uint64_t)st.st_size)
		fail("image does not fit in guest RAM");
	if (lseek(fd, 0, SEEK_SET) < 0)
		die("lseek");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = read(fd, ram + offset + (uint64_t)done,
		                 (size_t)(st.st_size - done));
		if (n <= 0)
			die("read image");
		done += n;
	}
	close(fd);
	return RAM_BASE + offset;
}

static void set_reg(int vcpu_fd, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = {.id = id,
	                          .addr = (uint64_t)(uintptr_t)&value};
	if (ioctl(vcpu_fd, KVM_SET_ONE_REG, &reg) < 0)
		die("KVM_SET_ONE_REG");
}

static uint64_t core_reg(size_t offset)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |
	       (offset / sizeof(uint32_t));
}

static void set_vgic_attr(int dev_fd, uint32_t group, uint64_t attr,
                          uint64_t *value)
{
	struct kvm_device_attr a = {.group = group,
	                            .attr = attr,
	                            .addr = (uint64_t)(uintptr_t)value};
	if (ioctl(dev_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		die("vGIC KVM_SET_DEVICE_ATTR");
}

// An in-kernel GICv3 at QEMU virt's addresses.  Must come after the vCPU
// exists (the redistributors are per vCPU) and before the first KVM_RUN.
static void create_vgic(int vm_fd)
{
	struct kvm_create_device dev = {.type = KVM_DEV_TYPE_ARM_VGIC_V3};
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev) < 0)
		die("KVM_CREATE_DEVICE vGICv3");
	uint64_t dist = GICD_BASE, redist = GICR_BASE;
	set_vgic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
	              KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	set_vgic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
	              KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	set_vgic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
	              KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

static struct vm create_vm(const struct options *o)
{
	struct vm vm;

	vm.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm.kvm_fd < 0)
		die("/dev/kvm");
	if (ioctl(vm.kvm_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		fail("unexpected KVM API version");

	// IPA size 0 means KVM's default 40 bits: plenty for RAM at 1 GiB.
	unsigned long type = o->protected_vm ? KVM_VM_TYPE_ARM_PROTECTED : 0;
	vm.vm_fd = ioctl(vm.kvm_fd, KVM_CREATE_VM, type);
	if (vm.vm_fd < 0)
		die(o->protected_vm ? "KVM_CREATE_VM (protected; is "
		                      "kvm-arm.mode=protected?)"
		                    : "KVM_CREATE_VM");

	// Plain anonymous memory: pKVM pins it and donates each page to the
	// protected guest when the guest first touches it.
	vm.ram = mmap(NULL, o->ram_size, PROT_READ | PROT_WRITE,
	              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm.ram == MAP_FAILED)
		die("mmap guest RAM");
	uint64_t entry = load_image(o, vm.ram);

	struct kvm_userspace_memory_region region = {
	        .slot = 0,
	        .guest_phys_addr = RAM_BASE,
	        .memory_size = o->ram_size,
	        .userspace_addr = (uint64_t)(uintptr_t)vm.ram,
	};
	if (ioctl(vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		die("KVM_SET_USER_MEMORY_REGION");

	vm.vcpu_fd = ioctl(vm.vm_fd, KVM_CREATE_VCPU, 0);
	if (vm.vcpu_fd < 0)
		die("KVM_CREATE_VCPU");
	struct kvm_vcpu_init init;
	if (ioctl(vm.vm_fd, KVM_ARM_PREFERRED_TARGET, &init) < 0)
		die("KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1U << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(vm.vcpu_fd, KVM_ARM_VCPU_INIT, &init) < 0)
		die("KVM_ARM_VCPU_INIT");
	if (o->vgic)
		create_vgic(vm.vm_fd);

	set_reg(vm.vcpu_fd, core_reg(offsetof(struct kvm_regs, regs.pc)),
	        entry);
	set_reg(vm.vcpu_fd, core_reg(offsetof(struct kvm_regs, regs.regs[0])),
	        0);

	int run_size = ioctl(vm.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE");
	vm.run = mmap(NULL, (size_t)run_size, PROT_READ | PROT_WRITE,
	              MAP_SHARED, vm.vcpu_fd, 0);
	if (vm.run == MAP_FAILED)
		die("mmap kvm_run");

	if (o->verbose)
		fprintf(stderr,
		        "kvmrun: %s VM (type %#lx), %llu MiB at %#llx, entry "
		        "%#llx, %s\n",
		        o->protected_vm ? "protected" : "normal", type,
		        (unsigned long long)(o->ram_size >> 20), RAM_BASE,
		        (unsigned long long)entry,
		        o->vgic ? "vGICv3" : "no vGIC");
	return vm;
}

// The PL011 as far as a polled console needs it: data register writes go
// to stdout, every read (flag register included: TXFF clear) returns 0,
// other writes (control, baud) are accepted and ignored.
static void handle_uart(struct kvm_run *run)
{
	uint64_t reg = run->mmio.phys_addr - UART_BASE;

	if (!run->mmio.is_write) {
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		return;
	}
	if (reg == UART_DR) {
		// Unbuffered, so output before a crash or a hang is not lost.
		if (write(STDOUT_FILENO, run->mmio.data, 1) < 0)
			die("write console");
	}
}

static int run_vcpu(struct vm *vm)
{
	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("KVM_RUN");
		}
		struct kvm_run *run = vm->run;
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			if (run->mmio.phys_addr >= UART_BASE &&
			    run->mmio.phys_addr < UART_BASE + UART_SIZE) {
				handle_uart(run);
				continue;
			}
			fprintf(stderr,
			        "kvmrun: MMIO %s at %#llx outside the UART\n",
			        run->mmio.is_write ? "write" : "read",
			        (unsigned long long)run->mmio.phys_addr);
			return 1;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type ==
			            KVM_SYSTEM_EVENT_SHUTDOWN ||
			    run->system_event.type == KVM_SYSTEM_EVENT_RESET)
				return 0;
			fprintf(stderr, "kvmrun: system event %u\n",
			        run->system_event.type);
			return 1;
		case KVM_EXIT_FAIL_ENTRY:
			fprintf(stderr, "kvmrun: entry failed, reason %#llx\n",
			        (unsigned long long)run->fail_entry
			                .hardware_entry_failure_reason);
			return 1;
		default:
			fprintf(stderr, "kvmrun: unexpected exit reason %u\n",
			        run->exit_reason);
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	struct options o = parse_options(argc, argv);
	struct vm vm = create_vm(&o);
	return run_vcpu(&vm);
}
