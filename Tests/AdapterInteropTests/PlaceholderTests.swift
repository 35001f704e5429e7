import Testing
@testable import AdapterInterop
