# SPDX-License-Identifier: GPL-2.0
#
# kernlabs: verbs over Kbuild and scripts/. What is built lives in Kbuild;
# README.md says what each verb does.

KDIR ?= /lib/modules/$(shell uname -r)/build
KERNEL ?= debug-6.1
MODULE ?=
KERNELS ?=

KBUILD := $(MAKE) -C $(KDIR) M=$(CURDIR)

all: modules

help:
	@echo 'kernlabs: make VERB [VAR=...]; README.md says more of each.'
	@echo '  modules       build every module against KDIR (default: the running kernel), W=1 -Werror'
	@echo '  sparse        the same build under sparse (C=2)'
	@echo '  style         checkpatch.pl, kernel-doc, shellcheck, flake8, codespell: no warning'
	@echo '  htmldocs      Documentation/ as HTML in build/htmldocs (Sphinx, warnings as errors)'
	@echo '  install       modules_install and depmod into KDIR'"'"'s kernel'
	@echo '  dkms-install  install the DKMS package for the running kernel (root)'
	@echo '  vm            boot the test VM (KERNEL=debug-6.1|debug-7.3|6.1|6.12), modules loaded;'
	@echo '                CMD='"'"'...'"'"' runs a command in it instead of a shell'
	@echo '  check         every test on every kernel; MODULE=name, KERNELS=a,b narrow it'
	@echo '  bench         every benchmark (MODULE=name: one) beside the kernel'"'"'s equivalent'
	@echo '  clean         remove build/ and the build products in the tree'

kdir:
	@test -f $(KDIR)/Makefile || { \
		echo "No kernel build tree at $(KDIR)."; \
		echo "Set KDIR=, or install linux-headers-$$(uname -r)."; exit 1; }

modules: kdir
	$(KBUILD) W=1 KCFLAGS=-Werror modules

sparse: kdir
	$(KBUILD) C=2 CHECK=sparse W=1 KCFLAGS=-Werror modules

style:
	scripts/style

htmldocs:
	sphinx-build -W --keep-going -q -b html Documentation build/htmldocs
	@echo "htmldocs: build/htmldocs/index.html"

install: kdir
	$(KBUILD) modules_install
	depmod -a $$(cat $(KDIR)/include/config/kernel.release)

dkms-install:
	scripts/dkms-install

# CMD reaches the VM as written: neither make nor the recipe's shell
# expands its $ signs or quotes.
override CMD := $(value CMD)
export CMD

vm:
	scripts/vm-run --kernel $(KERNEL) $(if $(CMD),-- "$$CMD")

check:
	scripts/check $(if $(MODULE),--module $(MODULE)) $(if $(KERNELS),--kernels $(KERNELS))

bench:
	scripts/bench/run $(if $(MODULE),--module $(MODULE))

clean:
	$(RM) -r build
	find . -path ./.git -prune -o \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name 'modules.order' \
		-o -name 'Module.symvers' -o -name '.*.d' \) -type f -print0 | xargs -0r $(RM)

.PHONY: all help kdir modules sparse style htmldocs install dkms-install vm check bench clean
