// Loaded by mocha before any test file (see .mocharc.json): decorators of inversify and
// class-validator need the reflect-metadata polyfill in place first.
import 'reflect-metadata';
