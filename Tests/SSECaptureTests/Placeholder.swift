import XCTest  // placeholder: this target's tests land with its tool
