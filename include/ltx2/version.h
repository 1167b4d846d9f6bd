#pragma once
#define LTX2_VERSION_STRING "0.1.0"
