// /init of the KVM benchmark initramfs: runs /kvmrun on /guest.Image once,
// frames the guest's console between two marker lines so that run.sh can
// tell it from kernel messages, and powers the machine off.
//
// Its arguments (the kernel command line after "--") go to kvmrun before
// the image path, e.g. "-p" for a protected VM.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KVMRUN   "/kvmrun"
#define GUEST    "/guest.Image"
#define MAX_ARGS 16

// /dev/kvm only exists once devtmpfs is mounted (the kernel does not mount
// it on an initramfs by itself).
static void mount_dev(void)
{
	mkdir("/dev", 0755);
	if (mount("devtmpfs", "/dev", "devtmpfs", 0, NULL) < 0 &&
	    errno != EBUSY)
		printf("init: mount devtmpfs: %s\n", strerror(errno));
}

// Echoes the kernel's KVM mode line ("VHE mode initialized", "Hyp nVHE mode
// initialized", "Protected nVHE mode initialized"), which "quiet" keeps off
// the console, so run.sh can check the mode it asked for is the one in use.
static void print_kvm_mode(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	char rec[1024];
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;
		rec[n] = '\0';
		char *text = strchr(rec, ';');
		if (text && strstr(text, "mode initialized"))
			printf("init: kernel:%s", text + 1);
	}
	close(fd);
}

static int run_kvmrun(int argc, char **argv)
{
	char *args[MAX_ARGS + 3];
	int n = 0;

	args[n++] = KVMRUN;
	for (int i = 1; i < argc && n < MAX_ARGS; i++)
		args[n++] = argv[i];
	args[n++] = GUEST;
	args[n] = NULL;

	pid_t pid = fork();
	if (pid == 0) {
		execv(KVMRUN, args);
		printf("init: exec " KVMRUN ": %s\n", strerror(errno));
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 126;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	mount_dev();
	print_kvm_mode();
	printf("@@KVMRUN-BEGIN\n");
	fflush(stdout);
	int status = run_kvmrun(argc, argv);
	printf("\n@@KVMRUN-END status=%d\n", status);
	fflush(stdout);
	sync();
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	// Only reached if power-off failed; init must not exit.
	for (;;)
		pause();
}
