/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shim.h - libkmod as seen from Swift (ShadowKit's LibkmodBackend).
 */
#ifndef CKMOD_SHIM_H
#define CKMOD_SHIM_H

#include <libkmod.h>

#endif
