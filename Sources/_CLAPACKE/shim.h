#pragma once
#include <lapacke.h>
/* lapack_int is a macro in lapacke.h: give Swift a type name. */
typedef lapack_int pace_lapack_int;
