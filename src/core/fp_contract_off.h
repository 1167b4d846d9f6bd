#pragma once
// Included by a .cpp whose float arithmetic must round every product and sum separately, as
// torch's ops do: -march=native lets the compiler fuse a·b + c into one FMA, which changes the
// last bit. Applies to the rest of the including file.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
