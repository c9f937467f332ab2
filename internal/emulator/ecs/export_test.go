package ecs

// BenchBody is benchBody, for the test in package ecs_test that holds it
// to what the SDK sends.
const BenchBody = benchBody
